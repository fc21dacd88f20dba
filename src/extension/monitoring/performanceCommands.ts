import path from 'node:path';
import * as vscode from 'vscode';
import type { TrackingClient } from '../../core/client/trackingClient';
import { openCsv } from '../../core/data/csvReader';
import { monitorTag } from '../../core/monitoring/monitoringRuns';
import { findInterpreter } from '../../core/pipelines/findInterpreter';
import { performanceMetricKeys, performanceTags } from '../../core/monitoring/performanceRun';
import { pickModelVersion } from '../commands/pickers';
import { registerCommand } from '../commands/registerCommand';
import type { ConnectionManager } from '../connection/connectionManager';
import { modelVersionInputOf } from '../panels/panelArguments';
import { settings } from '../settings';
import { runMonitorCli } from './monitorCli';

/** What `trackside monitor performance --json` answers (the fields used here). */
interface PerformanceAnswer {
  run_id: string;
  model: { name: string; version: string; uri: string };
  metrics: Record<string, number>;
  summary: string;
}

/** Arguments for scripted use: `{ name, version, labelledPath, labelColumn, predictionColumn? }` (no prediction column: the model scores the file). */
interface PerformanceArguments {
  name?: string;
  version?: string;
  labelledPath?: string;
  labelColumn?: string;
  predictionColumn?: string;
}

async function chooseModelVersion(client: TrackingClient, argument: unknown, title: string): Promise<{ name: string; version: string } | undefined> {
  const given = modelVersionInputOf(argument);
  if (given) return given;
  const picked = await pickModelVersion(client, title);
  return picked ? { name: picked.model, version: picked.version.version } : undefined;
}

async function pickColumn(columns: string[], title: string, placeHolder: string): Promise<string | undefined> {
  return vscode.window.showQuickPick(columns, { title, placeHolder });
}

const scoreWithTheModel = '$(sparkle) Score with the model';

/** The prediction column, or '' to score with the model; undefined when the person cancelled. */
async function pickPredictionColumn(columns: string[]): Promise<string | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: scoreWithTheModel, description: 'runs the model version on the file in Python' },
      { label: 'Predictions already in the file', kind: vscode.QuickPickItemKind.Separator },
      ...columns.map((column) => ({ label: column })),
    ],
    { title: 'Check Model Performance: Predictions', placeHolder: "Score with the model, or pick the column holding its predictions" },
  );
  if (!picked) return undefined;
  return picked.label === scoreWithTheModel ? '' : picked.label;
}

/** The performance-check runs of a model version, oldest first, across all experiments. */
export async function performanceRuns(client: TrackingClient, name: string, version: string): Promise<string[]> {
  const experimentIds = (await client.experiments.searchAll()).map((experiment) => experiment.experiment_id);
  if (experimentIds.length === 0) return [];
  const quote = (text: string): string => text.replace(/'/g, "\\'");
  const runs = await client.runs.searchAll({
    experimentIds,
    filter: `tags.\`${monitorTag}\` = 'performance' and tags.\`${performanceTags.modelName}\` = '${quote(name)}' and tags.\`${performanceTags.modelVersion}\` = '${quote(version)}'`,
    orderBy: ['attributes.start_time ASC'],
  });
  return runs.map((run) => run.info.run_id);
}

/**
 * "Check Model Performance…" (scores a labelled file's predictions column for a model version and
 * logs `perf.*` tagged with the version) and "Open Model Monitor" (charts the performance runs of a
 * version with the charts panel).
 */
export function registerPerformanceCommands(context: vscode.ExtensionContext, connection: ConnectionManager): vscode.Disposable[] {
  return [
    registerCommand('trackside.checkModelPerformance', 'Check Model Performance', async (argument?: unknown) => {
      const given = (argument && typeof argument === 'object' ? argument : {}) as PerformanceArguments;
      const client = await connection.client();
      const model = await chooseModelVersion(client, argument, 'Check Model Performance');
      if (!model) return undefined;
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const labelledPath =
        given.labelledPath ??
        (
          await vscode.window.showOpenDialog({
            title: `Check Model Performance: Labelled Data for ${model.name} v${model.version}`,
            canSelectMany: false,
            filters: { 'CSV files': ['csv'] },
            defaultUri: folder ? vscode.Uri.joinPath(folder, 'data') : undefined,
          })
        )?.[0]?.fsPath;
      if (!labelledPath) return undefined;
      let labelColumn = given.labelColumn;
      let predictionColumn = given.predictionColumn;
      if (!labelColumn) {
        const table = await openCsv(labelledPath);
        await table.batches.return();
        labelColumn = await pickColumn(table.header, 'Check Model Performance: Label Column', 'The column holding the true labels');
        if (!labelColumn) return undefined;
        predictionColumn = await pickPredictionColumn(table.header.filter((column) => column !== labelColumn));
        if (predictionColumn === undefined) return undefined;
      }
      const scoring = predictionColumn
        ? ['--prediction-column', predictionColumn]
        : ['--python', (await findInterpreter({ setting: settings.pythonPath() })).path];
      const environment = await connection.trackingEnvironment();
      const answer = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Checking ${model.name} v${model.version} on ${path.basename(labelledPath)}`, cancellable: true },
        (_progress, cancellation) =>
          runMonitorCli<PerformanceAnswer>(
            context.extensionPath,
            ['performance', '--model-uri', `models:/${model.name}/${model.version}`, '--input', labelledPath, '--label', labelColumn!, ...scoring],
            environment,
            cancellation,
          ),
      );
      void vscode.window.showInformationMessage(answer.summary, 'Open Run', 'Open Monitor').then(async (choice) => {
        if (choice === 'Open Run') await vscode.commands.executeCommand('trackside.openRunDetails', answer.run_id);
        else if (choice === 'Open Monitor') await vscode.commands.executeCommand('trackside.openMonitor', model);
      });
      return answer;
    }),
    registerCommand('trackside.openMonitor', 'Open Model Monitor', async (argument?: unknown) => {
      const client = await connection.client();
      const model = await chooseModelVersion(client, argument, 'Open Model Monitor');
      if (!model) return undefined;
      const runIds = await performanceRuns(client, model.name, model.version);
      if (runIds.length === 0) {
        void vscode.window.showInformationMessage(
          `${model.name} v${model.version} has no performance checks yet: run "Trackside: Check Model Performance…" on labelled data.`,
        );
        return { ...model, runIds };
      }
      // TODO(panels): pass `{ runIds, keys: performanceMetricKeys, xAxis: 'wallTime' }` once trackside.openRunCharts takes
      // keys and an x-axis; today it takes run ids and shows the metrics those runs have (only perf.* here).
      await vscode.commands.executeCommand('trackside.openRunCharts', runIds);
      return { ...model, runIds, keys: performanceMetricKeys };
    }),
  ];
}
