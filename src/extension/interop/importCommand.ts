import * as vscode from 'vscode';
import { importIntoStore } from '../../core/client/importClient';
import { ImportAbortedError, type ImportSummary } from '../../core/interop/importSummary';
import { registerCommand } from '../commands/registerCommand';
import type { ConnectionManager } from '../connection/connectionManager';
import { importArgumentsOf, type ArtifactMode } from './interopArguments';
import { importSummaryMarkdown, importSummaryMessage } from './interopSummaries';
import { localStoreClient } from './localStore';
import { IMPORT_PHASES, PhaseProgress } from './phaseProgress';
import { showSummary } from './summaryNotification';

const TITLE = 'Import from MLflow';

/**
 * "Trackside: Import from MLflow…": asks for an `mlflow.db` / `.sqlite` file or an `mlruns`
 * folder (or takes `{ source, artifacts }`, or a file from the Explorer), whether to copy or
 * reference the artifacts, then runs the import inside the engine that owns the store (it keeps
 * MLflow's run ids and version numbers, which the REST API cannot set) with a cancellable
 * progress notification, and reports what was imported and what was skipped and why. Resolves
 * with the summary (also after a cancel), undefined when the person backed out.
 */
export function registerImportCommand(connection: ConnectionManager, refreshTrees: () => void): vscode.Disposable {
  return registerCommand('trackside.importFromMlflow', TITLE, async (arg?: unknown): Promise<ImportSummary | undefined> => {
    const given = importArgumentsOf(arg);
    const local = await localStoreClient(connection, TITLE);
    if (!local) return undefined;
    const source = given.source ?? (await pickSource());
    if (!source) return undefined;
    const artifacts = given.artifacts ?? (await pickArtifactMode());
    if (!artifacts) return undefined;
    let summary: ImportSummary;
    let cancelled = false;
    try {
      summary = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Importing from MLflow', cancellable: true },
        async (progress, token) => {
          const controller = new AbortController();
          const listening = token.onCancellationRequested(() => controller.abort());
          const steps = new PhaseProgress(progress, IMPORT_PHASES);
          try {
            return await importIntoStore(local.client, { source, artifacts, signal: controller.signal, onProgress: (p) => steps.report(p) });
          } finally {
            listening.dispose();
          }
        },
      );
    } catch (e) {
      if (!(e instanceof ImportAbortedError)) throw e;
      summary = e.summary;
      cancelled = true;
    } finally {
      refreshTrees();
    }
    showSummary(cancelled ? 'warning' : 'information', importSummaryMessage(summary, cancelled), importSummaryMarkdown(summary, cancelled));
    return summary;
  });
}

/** An open dialog taking a database file or a folder (an `mlruns` folder, or the project folder holding one). */
async function pickSource(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Import from MLflow: choose an mlflow.db file, an mlruns folder, or the project folder that holds one',
    openLabel: 'Import',
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    filters: { 'MLflow SQLite database': ['db', 'sqlite', 'sqlite3'], 'All files': ['*'] },
  });
  return picked?.[0]?.fsPath;
}

async function pickArtifactMode(): Promise<ArtifactMode | undefined> {
  const choices: (vscode.QuickPickItem & { mode: ArtifactMode })[] = [
    {
      mode: 'copy',
      label: '$(files) Copy Artifacts into the Trackside Store',
      detail: 'Local artifact folders are copied under the store, so the runs keep their files if the MLflow folder moves or is deleted.',
    },
    {
      mode: 'reference',
      label: '$(link) Reference Artifacts Where They Are',
      detail: 'Nothing is copied: the runs keep their MLflow artifact locations, so moving or deleting those folders breaks them.',
    },
  ];
  const pick = await vscode.window.showQuickPick(choices, { title: 'Import from MLflow: Artifacts', placeHolder: 'Copy or reference the runs’ artifacts?' });
  return pick?.mode;
}
