import path from 'node:path';
import * as vscode from 'vscode';
import { isPercentScript } from '../../core/pipelines/cellParser';
import { PIPELINE_VIEW_TYPE, type PipelineCellSelection } from '../../shared/protocol/pipelineProtocol';
import { registerCommand } from '../commands/registerCommand';
import type { ConnectionManager } from '../connection/connectionManager';
import { PanelManager, type ChangeSource } from '../panels/panelHost';
import { createPanelServices } from '../panels/panelServices';
import { createPipelinePanelKind, type PipelinePanel } from '../panels/pipelinePanel';
import { pipelineLensTargets } from './pipelineLenses';
import { openDocument, VsCodePipelineRuntime } from './pipelineRuntime';

/** What `trackside.openPipeline` and `trackside.runPipeline` answer (the panel's logic: tests drive it). */
export interface OpenedPipeline {
  scriptPath: string;
  panel: PipelinePanel;
}

const CONTEXT_KEY = 'trackside.isPercentScript';
const MAX_LENS_LINES = 50_000;

/** The script a command is about: a Uri or a path, else the active editor's Python file. */
function scriptOf(arg: unknown): string | undefined {
  if (arg instanceof vscode.Uri) return arg.scheme === 'file' ? arg.fsPath : undefined;
  if (typeof arg === 'string' && arg) return path.resolve(arg);
  if (arg && typeof arg === 'object' && typeof (arg as { scriptPath?: unknown }).scriptPath === 'string') return path.resolve((arg as { scriptPath: string }).scriptPath);
  const document = vscode.window.activeTextEditor?.document;
  if (document && document.uri.scheme === 'file' && document.languageId === 'python') return document.uri.fsPath;
  return undefined;
}

function isSelection(value: unknown): value is PipelineCellSelection {
  if (value === 'all') return true;
  if (!value || typeof value !== 'object') return false;
  const selection = value as { only?: unknown; upTo?: unknown };
  return Number.isInteger(selection.only) || Number.isInteger(selection.upTo);
}

/** The CodeLenses of percent-format scripts: cheap, the text is parsed and nothing starts. */
class PipelineCodeLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    // Nothing for huge files: the lenses parse the whole text on every change.
    if (document.uri.scheme !== 'file' || document.lineCount > MAX_LENS_LINES) return [];
    return pipelineLensTargets(document.getText()).map((target) => {
      const range = new vscode.Range(target.line, 0, target.line, 0);
      return new vscode.CodeLens(range, { title: target.title, command: 'trackside.runPipeline', arguments: [document.uri, target.selection] });
    });
  }
}

/** Keeps `trackside.isPercentScript` true while the active editor holds a Python file with `# %%` cells. */
function trackPercentScripts(): vscode.Disposable {
  let last: boolean | undefined;
  let timer: NodeJS.Timeout | undefined;
  const update = (): void => {
    const document = vscode.window.activeTextEditor?.document;
    const value = !!document && document.languageId === 'python' && document.uri.scheme === 'file' && isPercentScript(document.getText());
    if (value === last) return;
    last = value;
    void vscode.commands.executeCommand('setContext', CONTEXT_KEY, value);
  };
  update();
  const subscriptions = [
    vscode.window.onDidChangeActiveTextEditor(update),
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.document !== vscode.window.activeTextEditor?.document) return;
      clearTimeout(timer);
      timer = setTimeout(update, 250);
    }),
    { dispose: () => clearTimeout(timer) },
  ];
  return vscode.Disposable.from(...subscriptions);
}

/**
 * Pipelines in VS Code: the pipeline panel (one per script, restored after a reload), "Open
 * Pipeline" and "Run Pipeline with Trackside" (editor title, CodeLens, palette), the CodeLenses and
 * the context key that shows the editor button. Nothing here starts the engine or Python.
 */
export function registerPipelines(context: vscode.ExtensionContext, connection: ConnectionManager, live: ChangeSource): vscode.Disposable[] {
  const runtime = new VsCodePipelineRuntime(context, connection);
  const open = new Map<string, PipelinePanel>();
  const kind = createPipelinePanelKind(runtime, open);
  const panels = new PanelManager(context.extensionUri, createPanelServices(context, connection), live);

  const show = (scriptPath: string): OpenedPipeline => {
    const document = openDocument(scriptPath);
    const fromEditor = document !== undefined && vscode.window.activeTextEditor?.document === document;
    panels.show(kind, { scriptPath }, fromEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active);
    return { scriptPath, panel: open.get(path.resolve(scriptPath))! };
  };
  const pick = (arg: unknown, title: string): string | undefined => {
    const scriptPath = scriptOf(arg);
    if (!scriptPath) void vscode.window.showInformationMessage(`${title}: open a Python script with cells marked "# %%" first.`);
    return scriptPath;
  };

  return [
    runtime,
    panels,
    vscode.window.registerWebviewPanelSerializer(PIPELINE_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => panels.revive(kind, panel, state),
    }),
    vscode.languages.registerCodeLensProvider({ language: 'python', scheme: 'file' }, new PipelineCodeLensProvider()),
    trackPercentScripts(),
    registerCommand('trackside.openPipeline', 'Open Pipeline', (arg?: unknown): OpenedPipeline | undefined => {
      const scriptPath = pick(arg, 'Open Pipeline');
      return scriptPath ? show(scriptPath) : undefined;
    }),
    registerCommand('trackside.runPipeline', 'Run Pipeline with Trackside', (arg?: unknown, selection?: unknown): OpenedPipeline | undefined => {
      const scriptPath = pick(arg, 'Run Pipeline with Trackside');
      if (!scriptPath) return undefined;
      const opened = show(scriptPath);
      opened.panel.requestRun(isSelection(selection) ? selection : 'all');
      return opened;
    }),
  ];
}
