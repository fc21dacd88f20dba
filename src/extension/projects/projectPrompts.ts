import path from 'node:path';
import * as vscode from 'vscode';
import type { EntryPoint, EntryPointParameter } from '../../core/projects/mlproject';
import { parameterValueProblem } from '../../core/projects/projectParameters';
import { findMLprojectFile, type LoadedProject } from '../../core/projects/projectSource';

/** The quick picks and input boxes of "Run MLproject Entry Point…". Each returns undefined when cancelled. */

const EXCLUDED = '**/{node_modules,.git,.trackside,.venv,venv,__pycache__}/**';

/** MLproject folders: the active editor's folder first (when it has one), then the workspace's. */
export async function findProjectFolders(): Promise<string[]> {
  const folders: string[] = [];
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file') {
    const folder = path.dirname(active.fsPath);
    if (findMLprojectFile(folder)) folders.push(folder);
  }
  for (const file of await vscode.workspace.findFiles('**/MLproject', EXCLUDED, 500)) {
    const folder = path.dirname(file.fsPath);
    if (!folders.includes(folder)) folders.push(folder);
  }
  return folders;
}

export async function pickProjectFolder(folders: string[]): Promise<string | undefined> {
  if (folders.length === 1) return folders[0];
  const pick = await vscode.window.showQuickPick(
    folders.map((folder) => ({ label: vscode.workspace.asRelativePath(folder, true), detail: folder, folder })),
    { title: 'Run MLproject Entry Point: Project', placeHolder: 'The folder of the MLproject file', matchOnDetail: true },
  );
  return pick?.folder;
}

function describeParameter(parameter: EntryPointParameter): string {
  return `${parameter.name}: ${parameter.type}${parameter.default !== undefined ? ` = ${parameter.default}` : ''}`;
}

export async function pickEntryPoint(loaded: LoadedProject): Promise<EntryPoint | undefined> {
  const entries = Object.values(loaded.project.entryPoints);
  if (entries.length === 0) {
    void vscode.window.showInformationMessage(`The MLproject in ${loaded.folder} declares no entry points: add some under entry_points.`);
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    entries.map((entry) => ({
      label: entry.name,
      description: entry.command,
      detail: Object.values(entry.parameters).map(describeParameter).join(' · ') || 'no parameters',
      entry,
    })),
    { title: `Run MLproject Entry Point: ${loaded.project.name ?? path.basename(loaded.folder)}`, placeHolder: 'Entry point', matchOnDescription: true },
  );
  return pick?.entry;
}

/**
 * One input box per parameter, prefilled with `initial` or the default and checked by type as the
 * person types (a `path` must exist, relative to the project folder).
 */
export async function askParameters(loaded: LoadedProject, entry: EntryPoint, initial: Record<string, string> = {}): Promise<Record<string, string> | undefined> {
  const values: Record<string, string> = {};
  const parameters = Object.values(entry.parameters);
  for (const [index, parameter] of parameters.entries()) {
    const start = Object.prototype.hasOwnProperty.call(initial, parameter.name) ? initial[parameter.name] : parameter.default;
    const hint = parameter.type === 'path' ? ' — a file or folder, relative to the project' : parameter.type === 'uri' ? ' — such as runs:/<run id>/model' : '';
    const value = await vscode.window.showInputBox({
      title: `Run ${entry.name}: ${parameter.name} (${index + 1}/${parameters.length})`,
      prompt: `${parameter.name} (${parameter.type})${parameter.default === undefined ? ', required' : `, default ${parameter.default}`}${hint}`,
      value: start ?? '',
      ignoreFocusOut: true,
      validateInput: (text) => parameterValueProblem(entry, parameter, text, loaded.folder),
    });
    if (value === undefined) return undefined;
    Object.defineProperty(values, parameter.name, { value, enumerable: true, writable: true, configurable: true });
  }
  return values;
}
