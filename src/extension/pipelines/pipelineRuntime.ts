import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ConnectionManager } from '../connection/connectionManager';
import { log } from '../log';
import type { PipelineRuntime } from '../panels/pipelinePanel';
import { chooseInterpreter } from '../python/pythonInterpreter';
import { Disposable, toDisposable } from '../util/disposable';

function samePath(a: string, b: string): boolean {
  const left = path.resolve(a);
  const right = path.resolve(b);
  return process.platform === 'win32' ? left.toLowerCase() === right.toLowerCase() : left === right;
}

/** The open document of a script, if any. */
export function openDocument(scriptPath: string): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((document) => document.uri.scheme === 'file' && samePath(document.uri.fsPath, scriptPath));
}

/** The VS Code side of the pipeline panel: editors, settings, the interpreter and the status bar. */
export class VsCodePipelineRuntime extends Disposable implements PipelineRuntime {
  private readonly statusItems = new Map<string, vscode.StatusBarItem>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly connection: ConnectionManager,
  ) {
    super();
    this._register(toDisposable(() => [...this.statusItems.values()].forEach((item) => item.dispose())));
  }

  async readScript(scriptPath: string): Promise<{ text: string; dirty: boolean }> {
    const document = openDocument(scriptPath);
    if (document) return { text: document.getText(), dirty: document.isDirty };
    return { text: await fs.promises.readFile(scriptPath, 'utf8'), dirty: false };
  }

  watchScript(scriptPath: string, onChange: () => void): { dispose(): void } {
    const mine = (document: vscode.TextDocument): boolean => document.uri.scheme === 'file' && samePath(document.uri.fsPath, scriptPath);
    const folder = vscode.Uri.file(path.dirname(scriptPath));
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, path.basename(scriptPath)));
    const subscriptions = [
      watcher,
      watcher.onDidChange(onChange),
      watcher.onDidCreate(onChange),
      watcher.onDidDelete(onChange),
      vscode.workspace.onDidChangeTextDocument((event) => mine(event.document) && onChange()),
      vscode.workspace.onDidSaveTextDocument((document) => mine(document) && onChange()),
      vscode.workspace.onDidCloseTextDocument((document) => mine(document) && onChange()),
    ];
    return toDisposable(() => subscriptions.forEach((subscription) => subscription.dispose()));
  }

  async kernelSettings(): Promise<{ interpreter: string; bundledPythonPath: string; env: Record<string, string | undefined> }> {
    const tracking = await this.connection.trackingEnvironment();
    const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
    const interpreter = await chooseInterpreter(resource);
    log().info(`Pipelines use ${interpreter.path} (${interpreter.source})`);
    return {
      interpreter: interpreter.path,
      bundledPythonPath: this.context.asAbsolutePath(path.join('dist', 'python')),
      // The extension host's own variable would turn a `node` the cell starts into Electron's Node.
      env: { ...tracking, ELECTRON_RUN_AS_NODE: undefined },
    };
  }

  async revealLine(scriptPath: string, line: number): Promise<void> {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(scriptPath));
    const shown = vscode.window.visibleTextEditors.find((editor) => editor.document === document);
    const position = new vscode.Position(Math.max(0, Math.min(line - 1, document.lineCount - 1)), 0);
    const editor = await vscode.window.showTextDocument(document, {
      viewColumn: shown?.viewColumn ?? vscode.ViewColumn.Beside,
      selection: new vscode.Range(position, position),
      preserveFocus: false,
    });
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  async openText(title: string, text: string): Promise<void> {
    const document = await vscode.workspace.openTextDocument({ content: text === '' ? `(${title}: no output)` : text, language: 'log' });
    await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  async openSettings(): Promise<void> {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'trackside.python.path');
  }

  showStartError(message: string): void {
    log().error(message);
    void vscode.window.showErrorMessage(message, 'Open Settings', 'Show Log').then((choice) => {
      if (choice === 'Open Settings') void this.openSettings();
      else if (choice === 'Show Log') log().show(true);
    });
  }

  progress(scriptPath: string, text: string | undefined): void {
    const key = path.resolve(scriptPath);
    let item = this.statusItems.get(key);
    if (text === undefined) {
      item?.dispose();
      this.statusItems.delete(key);
      return;
    }
    if (!item) {
      item = vscode.window.createStatusBarItem(`trackside.pipeline.${key}`, vscode.StatusBarAlignment.Left, 50);
      item.name = 'Trackside Pipeline';
      item.command = { title: 'Open Pipeline', command: 'trackside.openPipeline', arguments: [vscode.Uri.file(scriptPath)] };
      item.tooltip = `Trackside is running ${path.basename(scriptPath)}: click to show it`;
      this.statusItems.set(key, item);
    }
    item.text = `$(sync~spin) ${text}`;
    item.show();
  }
}
