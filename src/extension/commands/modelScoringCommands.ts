import path from 'node:path';
import * as vscode from 'vscode';
import { compareModelVersions, fileColumns, type AbComparisonOutcome } from '../../core/models/abComparison';
import { runBatchScoring, type BatchScoringOutcome } from '../../core/models/batchScoring';
import { formatMetric } from '../../core/models/comparisonChart';
import { ScoringError } from '../../core/models/modelScorer';
import type { ModelVersion } from '../../shared/entities';
import type { ConnectionManager } from '../connection/connectionManager';
import { log } from '../log';
import type { ModelNode, ModelsTreeProvider, VersionNode } from '../trees/modelsTreeProvider';
import type { ModelTools } from './modelTools';
import { pickModel, pickModelVersion } from './pickers';
import { registerCommand } from './registerCommand';

const DATA_FILTERS = { 'Data files': ['csv', 'jsonl', 'ndjson'] };

/** Arguments for running the comparison without prompts (tests, other commands). */
export interface CompareArguments {
  modelUriA: string;
  modelUriB: string;
  input: string;
  labelColumn: string;
  /** When B wins: true moves A's alias to B and false leaves it, without asking; unset asks. */
  moveAlias?: boolean;
}

async function pickDataFile(title: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({ title, canSelectMany: false, filters: DATA_FILTERS, defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
  return picked?.[0]?.fsPath;
}

/** A version of `model` as a models:/ URI, aliases first (`@champion → v2`). */
async function pickVersionUri(versions: ModelVersion[], model: string, title: string, exclude?: string): Promise<string | undefined> {
  const items = [
    ...versions.flatMap((v) => (v.aliases ?? []).map((alias) => ({ label: `@${alias}`, description: `version ${v.version}`, uri: `models:/${model}@${alias}` }))),
    ...versions.map((v) => ({ label: `Version ${v.version}`, description: [v.current_stage !== 'None' ? v.current_stage : '', ...(v.aliases ?? []).map((a) => `@${a}`)].filter(Boolean).join(' · '), uri: `models:/${model}/${v.version}` })),
  ].filter((item) => item.uri !== exclude);
  return (await vscode.window.showQuickPick(items, { title, placeHolder: 'Alias or version' }))?.uri;
}

/** "Score a File with Model Version…" and "Compare Model Versions on a Dataset…". */
export function registerModelScoringCommands(connection: ConnectionManager, tree: ModelsTreeProvider, tools: ModelTools): vscode.Disposable[] {
  return [
    registerCommand('trackside.scoreFile', 'Score a File with Model Version', async (node?: VersionNode, inputArg?: string, outputArg?: string) => {
      const target = node ? { model: node.model, version: node.version } : await pickModelVersion(await connection.client(), 'Score a File with Model Version');
      if (!target) return undefined;
      const input = inputArg ?? (await pickDataFile(`Score a File with ${target.model} v${target.version.version}`));
      if (!input) return undefined;
      const extension = path.extname(input).toLowerCase() === '.csv' ? '.csv' : '.jsonl';
      const suggested = path.join(path.dirname(input), `${path.basename(input, path.extname(input))}.predictions${extension}`);
      const output =
        outputArg ?? (await vscode.window.showSaveDialog({ title: 'Write the predictions to', defaultUri: vscode.Uri.file(suggested), filters: DATA_FILTERS }))?.fsPath;
      if (!output) return undefined;
      const client = await connection.client();
      const runtime = await tools.runtime();
      let outcome: BatchScoringOutcome;
      try {
        outcome = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Scoring ${path.basename(input)} with ${target.model} v${target.version.version}`, cancellable: true },
          (progress, token) => {
            const controller = new AbortController();
            token.onCancellationRequested(() => controller.abort());
            let shown = 0;
            return runBatchScoring(client, runtime, tools.cache(), {
              modelUri: `models:/${target.model}/${target.version.version}`,
              input,
              output,
              source: 'Trackside: Score a File with Model Version',
              signal: controller.signal,
              onStage: (stage) => progress.report({ message: stage === 'fetching' ? 'fetching the model…' : stage === 'logging' ? 'logging the run…' : 'scoring…' }),
              onProgress: (p) => {
                const percent = p.totalBytes > 0 ? Math.min(100, (100 * p.bytes) / p.totalBytes) : 0;
                progress.report({ increment: percent - shown, message: `${p.rows.toLocaleString()} rows` });
                shown = percent;
              },
              onLog: (line) => log().info(`[scoring] ${line}`),
            });
          },
        );
      } catch (e) {
        if (e instanceof ScoringError && e.code === 'STOPPED') {
          void vscode.window.showInformationMessage('Scoring stopped; no output was written.');
          return undefined;
        }
        throw e;
      }
      const { result } = outcome;
      void vscode.window
        .showInformationMessage(`Scored ${result.outputRows.toLocaleString()} rows into ${path.basename(result.output)} in ${result.seconds.toFixed(1)} s.`, 'Open Output', 'Open Run')
        .then((choice) => {
          if (choice === 'Open Output') void vscode.window.showTextDocument(vscode.Uri.file(result.output));
          else if (choice === 'Open Run' && outcome.runId) void vscode.commands.executeCommand('trackside.openRunDetails', outcome.runId);
        });
      return outcome;
    }),
    registerCommand('trackside.compareModelVersions', 'Compare Model Versions on a Dataset', async (node?: ModelNode | VersionNode, args?: CompareArguments) => {
      const client = await connection.client();
      let options = args;
      if (!options) {
        const name = node?.kind === 'model' ? node.model.name : node?.kind === 'modelVersion' ? node.model : (await pickModel(client, 'Compare Model Versions'))?.name;
        if (!name) return undefined;
        const versions = await client.modelVersions.listForModel(name);
        if (versions.length < 2) {
          void vscode.window.showInformationMessage(`'${name}' has ${versions.length} version${versions.length === 1 ? '' : 's'}: comparing needs two.`);
          return undefined;
        }
        const modelUriA = await pickVersionUri(versions, name, 'Compare: the current model (A), e.g. @champion');
        if (!modelUriA) return undefined;
        const modelUriB = await pickVersionUri(versions, name, 'Compare: the candidate (B), e.g. @challenger', modelUriA);
        if (!modelUriB) return undefined;
        const input = await pickDataFile('A labelled dataset to compare on');
        if (!input) return undefined;
        const columns = await fileColumns(input);
        const labelColumn = await vscode.window.showQuickPick(columns, { title: 'Which column holds the true values?', placeHolder: 'Label column' });
        if (!labelColumn) return undefined;
        options = { modelUriA, modelUriB, input, labelColumn };
      }
      const chosen = options;
      const runtime = await tools.runtime();
      let outcome: AbComparisonOutcome;
      try {
        outcome = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Comparing ${chosen.modelUriA} and ${chosen.modelUriB}`, cancellable: true },
          (progress, token) => {
            const controller = new AbortController();
            token.onCancellationRequested(() => controller.abort());
            const stages = { fetching: 'fetching the models…', 'scoring-a': 'scoring with A…', 'scoring-b': 'scoring with B…', measuring: 'measuring…', logging: 'logging the run…' };
            return compareModelVersions(client, runtime, tools.cache(), {
              ...chosen,
              signal: controller.signal,
              onStage: (stage) => progress.report({ message: stages[stage] }),
              onLog: (line) => log().info(`[compare] ${line}`),
            });
          },
        );
      } catch (e) {
        if (e instanceof ScoringError && e.code === 'STOPPED') {
          void vscode.window.showInformationMessage('The comparison was stopped.');
          return undefined;
        }
        throw e;
      }
      return offerAliasMove(outcome, chosen, client, tree);
    }),
  ];
}

/** Reports the comparison and, when B wins and A was named by an alias, offers to move the alias to B. */
async function offerAliasMove(
  outcome: AbComparisonOutcome,
  options: CompareArguments,
  client: Awaited<ReturnType<ConnectionManager['client']>>,
  tree: ModelsTreeProvider,
): Promise<AbComparisonOutcome & { aliasMoved?: string }> {
  const metric = outcome.primaryMetric;
  const a = `${outcome.labelA} (v${outcome.modelA.version})`;
  const b = `${outcome.labelB} (v${outcome.modelB.version})`;
  const figures = `${metric} ${formatMetric(outcome.metricsA[metric])} vs ${formatMetric(outcome.metricsB[metric])}`;
  const alias = /@([^/]+)$/.exec(options.modelUriA)?.[1];
  const openRun = 'Open Run';
  const move = alias && outcome.modelB.name === outcome.modelA.name ? `Move @${alias} to v${outcome.modelB.version}` : undefined;
  let text: string;
  if (outcome.winner === 'b') text = `${b} beats ${a} on ${figures}.`;
  else if (outcome.winner === 'a') text = `${a} stays better than ${b} on ${figures}.`;
  else text = `${a} and ${b} tie on ${figures}.`;
  let choice: string | undefined;
  if (outcome.winner === 'b' && move && options.moveAlias === undefined) {
    choice = await vscode.window.showInformationMessage(text, move, openRun);
  } else {
    if (options.moveAlias && move && outcome.winner === 'b') choice = move;
    void vscode.window.showInformationMessage(text, openRun).then((picked) => picked && vscode.commands.executeCommand('trackside.openRunDetails', outcome.runId));
  }
  if (choice === openRun) void vscode.commands.executeCommand('trackside.openRunDetails', outcome.runId);
  if (choice === move && alias && outcome.modelB.name && outcome.modelB.version) {
    await client.registeredModels.setAlias(outcome.modelB.name, alias, outcome.modelB.version);
    tree.refresh();
    void vscode.window.showInformationMessage(`models:/${outcome.modelB.name}@${alias} now points to version ${outcome.modelB.version}.`);
    return { ...outcome, aliasMoved: alias };
  }
  return outcome;
}
