import * as vscode from 'vscode';
import { findInterpreter } from '../../core/pipelines/findInterpreter';
import { settings } from '../settings';

interface PythonExtensionApi {
  environments?: { getActiveEnvironmentPath?: (resource?: vscode.Uri) => { path?: string } | undefined };
}

/** The interpreter selected in the Python extension (`ms-python.python`) for `resource`, when it is installed. */
export async function pythonExtensionInterpreter(resource?: vscode.Uri): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!extension) return undefined;
  const api = extension.isActive ? extension.exports : await extension.activate();
  return api?.environments?.getActiveEnvironmentPath?.(resource ?? vscode.workspace.workspaceFolders?.[0]?.uri)?.path;
}

/**
 * The Python interpreter for pipelines, projects and models: `trackside.python.path`, else the
 * Python extension's selection for `resource`, else `python3`.
 */
export function chooseInterpreter(resource?: vscode.Uri): ReturnType<typeof findInterpreter> {
  return findInterpreter({ setting: settings.pythonPath(), pythonExtension: () => pythonExtensionInterpreter(resource) });
}
