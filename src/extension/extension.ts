import * as vscode from 'vscode';
import { registerConnectionCommands } from './commands/connectionCommands';
import { registerExperimentCommands } from './commands/experimentCommands';
import { registerModelCommands } from './commands/modelCommands';
import { registerModelServingCommands } from './commands/modelServingCommands';
import { registerProjectCommands } from './commands/projectCommands';
import { registerRunCommands } from './commands/runCommands';
import { ConnectionManager } from './connection/connectionManager';
import { StatusBar } from './connection/statusBar';
import { TerminalEnvironment } from './connection/terminalEnvironment';
import { ExperimentsTreeProvider } from './trees/experimentsTreeProvider';
import { LiveUpdates } from './trees/liveUpdates';
import { ModelsTreeProvider } from './trees/modelsTreeProvider';
import { registerInteropCommands } from './interop/interopCommands';
import { registerMonitoring } from './monitoring/monitoringCommands';
import { registerPanelCommands } from './panels/panelCommands';
import { registerPipelines } from './pipelines/pipelineCommands';

/** What other code (and the integration tests) can reach after activation. */
export interface TracksideApi {
  connection: ConnectionManager;
  experiments: ExperimentsTreeProvider;
  models: ModelsTreeProvider;
  live: LiveUpdates;
  /** What activation cost on the extension host's main thread (ms): evaluating the bundle, and activate(). */
  activationTimings: { loadMs: number; activateMs: number };
}

const bundleStart = (globalThis as { __tracksideBundleStart?: number }).__tracksideBundleStart;
const bundleLoaded = performance.now();

/**
 * The composition root: builds the few services with `new`, registers them, and does nothing
 * else — no SQL, no file scans. The engine starts when a view or a command first needs data.
 */
let active: ConnectionManager | undefined;

export function activate(context: vscode.ExtensionContext): TracksideApi {
  const activateStart = performance.now();
  const connection = new ConnectionManager(context);
  active = connection;
  const experiments = new ExperimentsTreeProvider(connection);
  const models = new ModelsTreeProvider(connection);
  const live = new LiveUpdates(connection, experiments, models);
  const experimentsView = vscode.window.createTreeView('trackside.experiments', {
    treeDataProvider: experiments,
    showCollapseAll: true,
    canSelectMany: true,
  });
  const modelsView = vscode.window.createTreeView('trackside.models', { treeDataProvider: models, showCollapseAll: true });
  context.subscriptions.push(
    connection,
    experiments,
    models,
    live,
    experimentsView,
    modelsView,
    new StatusBar(connection),
    new TerminalEnvironment(context, connection),
    connection.onDidChangeState((state) => void vscode.commands.executeCommand('setContext', 'trackside.state', contextState(state.kind))),
    connection.onDidChangeState((state) => void vscode.commands.executeCommand('setContext', 'trackside.remote', state.kind === 'remote')),
    ...registerConnectionCommands(connection, experiments, models),
    ...registerExperimentCommands(connection, experiments),
    ...registerRunCommands(connection, experiments, models),
    ...registerModelCommands(connection, models),
    ...registerModelServingCommands(context, connection, models),
    ...registerProjectCommands(context, connection),
    ...registerPanelCommands(context, connection, live),
    ...registerMonitoring(context, connection, live),
    ...registerInteropCommands(context, connection, [experiments, models], live),
    ...registerPipelines(context, connection, live),
  );
  const activationTimings = { loadMs: bundleStart === undefined ? NaN : bundleLoaded - bundleStart, activateMs: performance.now() - activateStart };
  return { connection, experiments, models, live, activationTimings };
}

/** Stops the engine with a checkpoint (VS Code waits for this promise, a few seconds at most). */
export function deactivate(): Promise<void> | undefined {
  const connection = active;
  active = undefined;
  return connection?.stop();
}

function contextState(kind: string): string {
  return kind === 'local' || kind === 'attached' || kind === 'remote' ? 'ready' : kind;
}
