import { querySql } from '../../core/client/sqlClient';
import { TrackingClientError } from '../../core/client/trackingClientError';
import { assertNever } from '../../shared/assertNever';
import { csvText } from '../../shared/csvText';
import {
  SQL_RESULTS_VIEW_TYPE,
  type SqlResultTable,
  type SqlResultsFromWebview,
  type SqlResultsInput,
  type SqlResultsToWebview,
} from '../../shared/protocol/sqlResultsProtocol';
import { errorMessage, type PanelConnection, type PanelKind, type PanelLogic, type PanelServices } from '../panels/panelTypes';

/** Rows a query returns at most (the server's default cap; the panel scrolls them virtually). */
export const SQL_RESULT_MAX_ROWS = 10_000;

/** What one run of a query ended with (the command returns it; tests read it). */
export type SqlRunOutcome =
  | { ok: true; query: string; columns: string[]; rowCount: number; truncated: boolean; elapsedMs: number }
  | { ok: false; query: string; message: string; errorCode?: string };

type Shown = { type: 'running'; query: string } | Extract<SqlResultsToWebview, { type: 'result' | 'failed' }>;

/**
 * One SQL results panel: runs a query through the `sql` extra (`querySql`), keeps the last
 * answer so a panel shown again (or restored after a reload) draws at once, posts the table or
 * the error, and saves the rows as CSV. The host owns the data; the webview only draws it.
 */
export class SqlResultsPanel implements PanelLogic<SqlResultsFromWebview> {
  private input: SqlResultsInput;
  private shown: Shown | undefined;
  private table: SqlResultTable | undefined;
  private runs = 0;
  private current: Promise<SqlRunOutcome> | undefined;

  constructor(
    input: SqlResultsInput,
    private readonly services: PanelServices,
    private readonly view: PanelConnection<SqlResultsToWebview>,
    private readonly maxRows = SQL_RESULT_MAX_ROWS,
    private readonly onDispose: () => void = () => undefined,
  ) {
    this.input = input;
  }

  async handle(message: SqlResultsFromWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.view.post({ type: 'init', input: this.input });
        if (this.shown) this.view.post(this.shown);
        else if (!this.current) await this.run(this.input.query);
        return;
      case 'rerun':
        await this.run(this.input.query);
        return;
      case 'exportCsv':
        return this.view.respond(message.requestId, async () => {
          if (!this.table) throw new Error('There are no rows to export: run a query first.');
          const name = this.input.documentName.replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '-') || 'query';
          return { saved: await this.services.saveExport({ fileName: `${name}-results.csv`, encoding: 'text', content: csvText(this.table.columns, this.table.rows) }) };
        });
      default:
        assertNever(message);
    }
  }

  /** Runs `query` (a newer run makes an older answer moot) and shows its table or error. */
  run(query: string): Promise<SqlRunOutcome> {
    const run = ++this.runs;
    this.input = { ...this.input, query };
    this.show({ type: 'running', query });
    this.view.post({ type: 'init', input: this.input });
    const work = this.execute(query, run);
    this.current = work;
    void work.finally(() => {
      if (this.current === work) this.current = undefined;
    });
    return work;
  }

  dispose(): void {
    this.runs++;
    this.onDispose();
  }

  private async execute(query: string, run: number): Promise<SqlRunOutcome> {
    try {
      const client = await this.services.client();
      const answer = await querySql(client, query, { maxRows: this.maxRows });
      const table: SqlResultTable = {
        columns: answer.columns,
        rows: answer.rows,
        truncated: answer.truncated,
        maxRows: this.maxRows,
        elapsedMs: answer.elapsed_ms,
      };
      if (run === this.runs) {
        this.table = table;
        this.show({ type: 'result', query, table, finishedAt: Date.now() });
      }
      return { ok: true, query, columns: table.columns, rowCount: table.rows.length, truncated: table.truncated, elapsedMs: table.elapsedMs };
    } catch (e) {
      const errorCode = e instanceof TrackingClientError ? e.errorCode : undefined;
      const message = errorMessage(e);
      this.services.log.warn(`SQL query failed: ${message}`);
      if (run === this.runs) {
        this.table = undefined;
        this.show({ type: 'failed', query, message, ...(errorCode ? { errorCode } : {}) });
      }
      return { ok: false, query, message, ...(errorCode ? { errorCode } : {}) };
    }
  }

  private show(message: Shown): void {
    this.shown = message;
    this.view.post(message);
  }
}

function parseInput(value: unknown): SqlResultsInput | undefined {
  const input = value as Partial<SqlResultsInput> | undefined;
  if (!input || typeof input.documentUri !== 'string' || typeof input.query !== 'string') return undefined;
  return { documentUri: input.documentUri, documentName: typeof input.documentName === 'string' ? input.documentName : 'query', query: input.query };
}

/** Hears of each results panel's logic as it opens and closes, so a command can run queries in it. */
export interface SqlResultsRegistry {
  opened(logic: SqlResultsPanel, input: SqlResultsInput): void;
  closed(logic: SqlResultsPanel, input: SqlResultsInput): void;
}

/** The results panel kind (one panel per editor, keyed by the editor's document URI). */
export function sqlResultsPanelKind(
  registry: SqlResultsRegistry = { opened: () => undefined, closed: () => undefined },
): PanelKind<SqlResultsInput, SqlResultsToWebview, SqlResultsFromWebview> {
  return {
    viewType: SQL_RESULTS_VIEW_TYPE,
    bundle: 'sqlResults',
    key: (input) => input.documentUri,
    title: (input) => `SQL: ${input.documentName}`,
    parseInput,
    create: (input, services, connection) => {
      const logic = new SqlResultsPanel(input, services, connection, SQL_RESULT_MAX_ROWS, () => registry.closed(logic, input));
      registry.opened(logic, input);
      return logic;
    },
  };
}
