import path from 'node:path';
import * as vscode from 'vscode';
import type { TrackingClient } from '../../core/client/trackingClient';
import { openCsv } from '../../core/data/csvReader';
import { findInterpreter } from '../../core/pipelines/findInterpreter';
import { MONITOR_VIEW_TYPE, type MonitorInput } from '../../shared/protocol/monitorProtocol';
import { pickModel, pickModelVersion } from '../commands/pickers';
import { registerCommand } from '../commands/registerCommand';
import type { ConnectionManager } from '../connection/connectionManager';
import { modelVersionInputOf } from '../panels/panelArguments';
import { PanelManager, type ChangeSource } from '../panels/panelHost';
import { createPanelServices } from '../panels/panelServices';
import { settings } from '../settings';
import { runMonitorCli } from './monitorCli';
import { createMonitorPanelKind, type MonitorPanel } from './monitorPanel';

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
  const model = monitorInputOf(argument);
  if (model) {
    // A model without a version (the monitor of a model with no checks yet): which of its versions.
    const versions = await client.modelVersions.listForModel(model.name);
    const picked = await vscode.window.showQuickPick(
      versions.map((v) => ({ label: `Version ${v.version}`, description: v.current_stage && v.current_stage !== 'None' ? v.current_stage : '', version: v.version })),
      { title: `${title}: ${model.name}`, placeHolder: 'Version' },
    );
    return picked ? { name: model.name, version: picked.version } : undefined;
  }
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

/** A VersionNode or `{ name, version }` (highlighting that version), a ModelNode, `{ name }` or a model name (the whole model). */
export function monitorInputOf(argument: unknown): MonitorInput | undefined {
  const version = modelVersionInputOf(argument);
  if (version) return version;
  if (typeof argument === 'string' && argument) return { name: argument };
  if (!argument || typeof argument !== 'object') return undefined;
  const value = argument as { kind?: string; model?: { name?: unknown }; name?: unknown };
  if (value.kind === 'model' && typeof value.model?.name === 'string' && value.model.name) return { name: value.model.name };
  if (typeof value.name === 'string' && value.name) return { name: value.name };
  return undefined;
}

/** What "Open Model Monitor" answers: the model, the version highlighted, its checks (oldest first) and the charted metrics. */
export interface OpenedMonitor {
  name: string;
  version?: string;
  /** The checks of `version` (of every version without one), oldest first. */
  runIds: string[];
  keys: string[];
  /** The panel's logic (for tests in the extension host); left out when VS Code serializes the answer. */
  panel: MonitorPanel;
}

function openedMonitor(fields: Omit<OpenedMonitor, 'panel'>, panel: MonitorPanel): OpenedMonitor {
  return { ...fields, panel, toJSON: () => fields } as OpenedMonitor;
}

/**
 * "Check Model Performance…" (scores a labelled file's predictions column for a model version and
 * logs `perf.*` tagged with the version) and "Open Model Monitor" (the monitor panel: a model's
 * checks as one series per metric and version over time, restored after a reload).
 */
export function registerPerformanceCommands(context: vscode.ExtensionContext, connection: ConnectionManager, live: ChangeSource): vscode.Disposable[] {
  const monitors = new Map<string, MonitorPanel>();
  const kind = createMonitorPanelKind(monitors);
  const panels = new PanelManager(context.extensionUri, createPanelServices(context, connection), live);
  return [
    panels,
    vscode.window.registerWebviewPanelSerializer(MONITOR_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => panels.revive(kind, panel, state),
    }),
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
    registerCommand('trackside.openMonitor', 'Open Model Monitor', async (argument?: unknown): Promise<OpenedMonitor | undefined> => {
      let target = monitorInputOf(argument);
      if (!target) {
        const model = await pickModel(await connection.client(), 'Open Model Monitor');
        if (!model) return undefined;
        target = { name: model.name };
      }
      const existing = monitors.get(target.name);
      panels.show(kind, target);
      const panel = monitors.get(target.name)!;
      if (existing) panel.showVersion(target.version);
      const data = await panel.current();
      const checks = target.version === undefined ? data.checks : data.checks.filter((check) => check.version === target.version);
      return openedMonitor({ name: target.name, version: target.version, runIds: checks.map((check) => check.runId), keys: data.keys }, panel);
    }),
  ];
}
