import * as vscode from 'vscode';

/** Typed access to Trackside's settings (declared with descriptions in package.json). */
export const settings = {
  storePath: (): string => vscode.workspace.getConfiguration('trackside').get<string>('store.path', '').trim(),
  serverPort: (): number => vscode.workspace.getConfiguration('trackside').get<number>('server.port', 0),
  trackingUri: (): string => vscode.workspace.getConfiguration('trackside').get<string>('trackingUri', '').trim(),
  pythonPath: (): string => vscode.workspace.getConfiguration('trackside').get<string>('python.path', '').trim(),
  keyMetric: (): string => vscode.workspace.getConfiguration('trackside').get<string>('tree.keyMetric', '').trim(),
  pageSize: (): number => Math.max(10, vscode.workspace.getConfiguration('trackside').get<number>('tree.pageSize', 200)),
  setTerminalEnvironment: (): boolean => vscode.workspace.getConfiguration('trackside').get<boolean>('terminal.setTrackingEnvironment', true),
};

export function affectsTrackside(event: vscode.ConfigurationChangeEvent, ...keys: string[]): boolean {
  return keys.some((key) => event.affectsConfiguration(`trackside.${key}`));
}
