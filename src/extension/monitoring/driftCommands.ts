import path from 'node:path';
import * as vscode from 'vscode';
import { driftArtifacts } from '../../core/monitoring/driftRun';
import { registerCommand } from '../commands/registerCommand';
import type { ConnectionManager } from '../connection/connectionManager';
import { log } from '../log';
import { runMonitorCli } from './monitorCli';

/** What `trackside monitor drift --json` answers (the fields used here). */
export interface DriftCheckAnswer {
  run_id: string;
  experiment_id: string;
  summary: string;
  drifted_columns: string[];
  drift_score: number;
  artifacts: string[];
  warnings: string[];
}

const dataFilters = { 'Data files': ['csv', 'jsonl', 'ndjson'], 'All files': ['*'] };

/** The drift thresholds from the settings (`trackside.drift.psiThreshold`, `trackside.drift.ksPValue`). */
export function driftThresholdSettings(): { psi: number; ksPValue: number } {
  const configuration = vscode.workspace.getConfiguration('trackside');
  const psi = configuration.get<number>('drift.psiThreshold', 0.2);
  const ksPValue = configuration.get<number>('drift.ksPValue', 0.05);
  return { psi: psi > 0 ? psi : 0.2, ksPValue: ksPValue > 0 && ksPValue <= 1 ? ksPValue : 0.05 };
}

function fileArgument(value: unknown): string | undefined {
  if (value instanceof vscode.Uri) return value.fsPath;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

async function pickDataFile(title: string, defaultFolder: vscode.Uri | undefined): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({ title, canSelectFiles: true, canSelectFolders: false, canSelectMany: false, filters: dataFilters, defaultUri: defaultFolder, openLabel: 'Select' });
  return picked?.[0]?.fsPath;
}

/**
 * "Check Data Drift…": asks for the reference and the current dataset (or takes their paths as
 * arguments), checks drift in a child process with the thresholds from the settings, logs the run,
 * and says which columns drifted, with "Open Report" and "Open Run". Returns the CLI's answer.
 */
export function registerDriftCommands(context: vscode.ExtensionContext, connection: ConnectionManager): vscode.Disposable[] {
  return [
    registerCommand('trackside.checkDataDrift', 'Check Data Drift', async (referenceArgument?: unknown, currentArgument?: unknown) => {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const dataFolder = folder ? vscode.Uri.joinPath(folder, 'data') : undefined;
      const reference = fileArgument(referenceArgument) ?? (await pickDataFile('Check Data Drift: Reference Dataset (the baseline)', dataFolder));
      if (!reference) return undefined;
      const current = fileArgument(currentArgument) ?? (await pickDataFile('Check Data Drift: Current Dataset (compared with the reference)', vscode.Uri.file(path.dirname(reference))));
      if (!current) return undefined;
      const thresholds = driftThresholdSettings();
      const environment = await connection.trackingEnvironment();
      const answer = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Checking drift of ${path.basename(current)} against ${path.basename(reference)}`, cancellable: true },
        (_progress, cancellation) =>
          runMonitorCli<DriftCheckAnswer>(
            context.extensionPath,
            ['drift', '--reference', reference, '--current', current, '--psi', String(thresholds.psi), '--ks-p', String(thresholds.ksPValue)],
            environment,
            cancellation,
          ),
      );
      log().info(`Drift check logged as run ${answer.run_id}: ${answer.summary}`);
      for (const warning of answer.warnings) log().warn(`Drift check: ${warning}`);
      const shown =
        answer.drifted_columns.length > 0
          ? vscode.window.showWarningMessage(answer.summary, 'Open Report', 'Open Run')
          : vscode.window.showInformationMessage(answer.summary, 'Open Report', 'Open Run');
      void shown.then(async (choice) => {
        if (choice === 'Open Report') await vscode.commands.executeCommand('trackside.openDriftReport', answer.run_id);
        else if (choice === 'Open Run') await vscode.commands.executeCommand('trackside.openRunDetails', answer.run_id);
      });
      return answer;
    }),
    registerCommand('trackside.openDriftReport', 'Open Drift Report', async (runId?: unknown) => {
      if (typeof runId !== 'string' || runId === '') throw new Error('Give the id of a drift-check run.');
      const client = await connection.client();
      const [html, run] = await Promise.all([client.artifacts.read(runId, driftArtifacts.html), client.runs.get(runId)]);
      const panel = vscode.window.createWebviewPanel('trackside.driftReport', run.info.run_name || 'Drift Report', vscode.ViewColumn.Active, {
        enableScripts: false,
        enableFindWidget: true,
        localResourceRoots: [],
      });
      // The report is self-contained (inline styles, no scripts) and carries its own strict CSP.
      panel.webview.html = html.toString('utf8');
      return { runId, title: panel.title };
    }),
  ];
}
