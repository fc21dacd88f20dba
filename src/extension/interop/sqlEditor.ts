import * as vscode from 'vscode';
import { SYSTEM_VIEWS } from '../../core/store/sqlViews';
import { SQL_RESULTS_VIEW_TYPE, type SqlResultsInput } from '../../shared/protocol/sqlResultsProtocol';
import { registerCommand } from '../commands/registerCommand';
import type { ConnectionManager } from '../connection/connectionManager';
import { PanelManager, type ChangeSource } from '../panels/panelHost';
import { createPanelServices } from '../panels/panelServices';
import { Disposable } from '../util/disposable';
import { isSqlEditorText, queryStartLine, sqlEditorTemplate, withoutLeadingComments } from './sqlEditorText';
import { SQL_RESULT_MAX_ROWS, sqlResultsPanelKind, type SqlResultsPanel, type SqlRunOutcome } from './sqlResultsPanel';

/** True while the active editor is a Trackside query editor (its "Run Query" button and Ctrl/Cmd+Enter). */
export const SQL_EDITOR_CONTEXT = 'trackside.sqlEditor';

/** The server's default time limit, stated in the editor's header. */
const QUERY_TIMEOUT_SECONDS = 10;

/**
 * "Trackside: Query Store with SQL…" and "Run Query": a SQL editor (a new untitled document with
 * the views listed, or a `.sql` file opened with the command) with a "Run Query" CodeLens and
 * editor-title button, and one results panel per editor showing the rows of the last run.
 */
export class SqlEditors extends Disposable implements vscode.CodeLensProvider {
  /** Documents opened with the command (untitled editors also carry the marker line). */
  private readonly tracked = new Set<string>();
  private readonly logics = new Map<string, SqlResultsPanel>();
  private readonly lensesChanged = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.lensesChanged.event;
  private readonly panels: PanelManager;
  private readonly kind = sqlResultsPanelKind({
    opened: (logic, input) => this.logics.set(input.documentUri, logic),
    closed: (logic, input) => {
      if (this.logics.get(input.documentUri) === logic) this.logics.delete(input.documentUri);
    },
  });

  constructor(context: vscode.ExtensionContext, connection: ConnectionManager, live: ChangeSource) {
    super();
    this.panels = this._register(new PanelManager(context.extensionUri, createPanelServices(context, connection), live));
    this._register(
      vscode.window.registerWebviewPanelSerializer(SQL_RESULTS_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => this.panels.revive(this.kind, panel, state),
      }),
    );
    this._register(vscode.languages.registerCodeLensProvider([{ language: 'sql' }, { pattern: '**/*.sql' }], this));
    this._register(vscode.window.onDidChangeActiveTextEditor(() => this.updateContext()));
    this._register(
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (document.isUntitled && this.tracked.delete(document.uri.toString())) this.lensesChanged.fire();
      }),
    );
    this._register(registerCommand('trackside.querySql', 'Query Store with SQL', (arg?: unknown) => this.open(arg)));
    this._register(registerCommand('trackside.runSqlQuery', 'Run Query', (arg?: unknown) => this.runQuery(arg)));
    this.updateContext();
  }

  /** Whether "Run Query" applies to this document. */
  isQueryDocument(document: vscode.TextDocument): boolean {
    if (this.tracked.has(document.uri.toString())) return true;
    return document.lineCount > 0 && isSqlEditorText(document.lineAt(0).text);
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.isQueryDocument(document)) return [];
    const start = queryStartLine(document.getText());
    const top = new vscode.Range(start, 0, start, 0);
    return [
      new vscode.CodeLens(top, { title: '$(play) Run Query', tooltip: 'Run the selection, or the whole editor, over this store (Ctrl/Cmd+Enter)', command: 'trackside.runSqlQuery', arguments: [document.uri] }),
    ];
  }

  /** Opens a new query editor, or the `.sql` file given, as a Trackside query editor. */
  private async open(arg?: unknown): Promise<{ uri: string }> {
    const uri = arg instanceof vscode.Uri ? arg : typeof arg === 'string' && arg ? vscode.Uri.parse(arg) : undefined;
    const document = uri
      ? await vscode.workspace.openTextDocument(uri)
      : await vscode.workspace.openTextDocument({
          language: 'sql',
          content: sqlEditorTemplate(SYSTEM_VIEWS, { maxRows: SQL_RESULT_MAX_ROWS, timeoutSeconds: QUERY_TIMEOUT_SECONDS }),
        });
    this.tracked.add(document.uri.toString());
    const editor = await vscode.window.showTextDocument(document, { preview: false });
    if (!uri) {
      // Put the cursor on the example query, below the list of views.
      const line = queryStartLine(document.getText());
      editor.selection = new vscode.Selection(line, 0, line, 0);
      editor.revealRange(new vscode.Range(line, 0, line, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
    this.lensesChanged.fire();
    this.updateContext();
    return { uri: document.uri.toString() };
  }

  /**
   * Runs the selection (or the whole text) of a query editor — the one given as a URI, else the
   * active one — and shows the rows in its results panel. `{ query, documentUri? }` runs a query
   * given as text. Errors show in the panel, with the server's message.
   */
  private async runQuery(arg?: unknown): Promise<SqlRunOutcome | undefined> {
    const target = this.queryOf(arg);
    if (!target) {
      void vscode.window.showInformationMessage('Open a query editor first: run "Trackside: Query Store with SQL…".');
      return undefined;
    }
    if (target.query.trim() === '') {
      void vscode.window.showWarningMessage('The editor has no query: write a SELECT … over the system.ml.* views (the comments of a new query editor list them).');
      return undefined;
    }
    const input: SqlResultsInput = { documentUri: target.documentUri, documentName: target.documentName, query: target.query };
    this.showResults(input);
    const logic = this.logics.get(input.documentUri);
    if (!logic) throw new Error('The results panel did not open.');
    return logic.run(target.query);
  }

  /**
   * Shows the editor's results panel beside it without taking the focus, so editing the query and
   * running it again is one keystroke away.
   */
  private showResults(input: SqlResultsInput): void {
    const open = this.panels.panelsOf(SQL_RESULTS_VIEW_TYPE).find((host) => (host.input as SqlResultsInput).documentUri === input.documentUri);
    if (open) {
      if (!open.panel.visible) open.panel.reveal(open.panel.viewColumn, true);
      return;
    }
    // PanelManager.show passes the column on to createWebviewPanel, which also takes { viewColumn, preserveFocus }.
    const beside = { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true } as unknown as vscode.ViewColumn;
    this.panels.show(this.kind, input, beside);
  }

  private queryOf(arg: unknown): { documentUri: string; documentName: string; query: string } | undefined {
    if (arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) && typeof (arg as { query?: unknown }).query === 'string') {
      const given = arg as { query: string; documentUri?: unknown };
      const documentUri = typeof given.documentUri === 'string' && given.documentUri ? given.documentUri : 'trackside:query';
      return { documentUri, documentName: documentUri === 'trackside:query' ? 'query' : nameOf(vscode.Uri.parse(documentUri)), query: given.query };
    }
    const uri = arg instanceof vscode.Uri ? arg.toString() : typeof arg === 'string' ? arg : undefined;
    const editor = uri
      ? vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri)
      : vscode.window.activeTextEditor;
    const document = editor?.document ?? (uri ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri) : undefined);
    if (!document) return undefined;
    const selected = editor && !editor.selection.isEmpty ? document.getText(editor.selection) : '';
    const query = selected.trim() ? selected : withoutLeadingComments(document.getText());
    return { documentUri: document.uri.toString(), documentName: nameOf(document.uri), query };
  }

  private updateContext(): void {
    const document = vscode.window.activeTextEditor?.document;
    void vscode.commands.executeCommand('setContext', SQL_EDITOR_CONTEXT, !!document && this.isQueryDocument(document));
  }
}

function nameOf(uri: vscode.Uri): string {
  return uri.path.split('/').pop() || uri.toString();
}
