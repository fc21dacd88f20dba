import * as vscode from 'vscode';
import type { ConnectionManager } from '../connection/connectionManager';
import { pickExperiment, pickModelVersion, pickRun } from '../commands/pickers';
import { registerCommand } from '../commands/registerCommand';
import { chartsPanelKind } from './chartsPanel';
import { comparePanelKind } from './comparePanel';
import { modelVersionPanelKind } from './modelVersionPanel';
import { modelVersionInputOf, runIdsOf, runsTableInputOf } from './panelArguments';
import { PanelManager, type ChangeSource } from './panelHost';
import { createPanelServices } from './panelServices';
import type { PanelKind } from './panelTypes';
import { runDetailsPanelKind } from './runDetailsPanel';
import { runsTablePanelKind } from './runsTablePanel';

/** Every panel kind, for the serializers (package.json has an `onWebviewPanel:<viewType>` event for each). */
export const PANEL_KINDS: readonly PanelKind<any, any, any>[] = [runsTablePanelKind, chartsPanelKind, comparePanelKind, runDetailsPanelKind, modelVersionPanelKind];

/**
 * The panel commands (runs table, charts, run details, compare, model version) and a serializer
 * per panel type so panels come back after a window reload. From the palette each command asks
 * what to show with a quick pick.
 */
export function registerPanelCommands(context: vscode.ExtensionContext, connection: ConnectionManager, live: ChangeSource): vscode.Disposable[] {
  const panels = new PanelManager(context.extensionUri, createPanelServices(context, connection), live);
  const serializers = PANEL_KINDS.map((kind) =>
    vscode.window.registerWebviewPanelSerializer(kind.viewType, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => panels.revive(kind, panel, state),
    }),
  );
  return [
    panels,
    ...serializers,
    registerCommand('trackside.openRunsTable', 'Open Runs Table', async (arg?: unknown) => {
      let input = runsTableInputOf(arg);
      if (!input) {
        const experiment = await pickExperiment(await connection.client(), { title: 'Open Runs Table' });
        if (!experiment) return undefined;
        input = { experimentIds: [experiment.experiment_id] };
      }
      panels.show(runsTablePanelKind, input);
      return input;
    }),
    registerCommand('trackside.openRunCharts', 'Open Run Charts', async (arg?: unknown, selection?: unknown) => {
      let runIds = runIdsOf(arg, selection);
      if (runIds.length === 0) runIds = ((await pickRun(await connection.client(), { title: 'Open Run Charts', many: true })) ?? []).map((r) => r.info.run_id);
      if (runIds.length === 0) return undefined;
      panels.show(chartsPanelKind, { runIds });
      return { runIds };
    }),
    registerCommand('trackside.openRunDetails', 'Open Run Details', async (arg?: unknown) => {
      let runId: string | undefined = runIdsOf(Array.isArray(arg) ? arg.slice(0, 1) : arg)[0];
      runId ??= (await pickRun(await connection.client(), { title: 'Open Run Details' }))?.info.run_id;
      if (!runId) return undefined;
      panels.show(runDetailsPanelKind, { runId });
      return { runId };
    }),
    registerCommand('trackside.compareRuns', 'Compare Runs', async (arg?: unknown, selection?: unknown) => {
      let runIds = runIdsOf(arg, selection);
      if (runIds.length === 0) runIds = ((await pickRun(await connection.client(), { title: 'Compare Runs (pick two or more)', many: true })) ?? []).map((r) => r.info.run_id);
      if (runIds.length === 0) return undefined;
      if (runIds.length === 1) {
        void vscode.window.showInformationMessage('Select two or more runs to compare (Ctrl/Cmd-click in the Experiments view or the runs table).');
        return undefined;
      }
      panels.show(comparePanelKind, { runIds });
      return { runIds };
    }),
    registerCommand('trackside.openModelVersion', 'Open Model Version Details', async (arg?: unknown) => {
      let input = modelVersionInputOf(arg);
      if (!input) {
        const picked = await pickModelVersion(await connection.client(), 'Open Model Version Details');
        if (!picked) return undefined;
        input = { name: picked.model, version: picked.version.version };
      }
      panels.show(modelVersionPanelKind, input);
      return input;
    }),
  ];
}
