/** A result cell: SQLite's integer/real, text, NULL; a blob is shown as `[blob N bytes]`. */
export type SqlCell = number | string | null;

/** What the runner hands the worker (as `workerData`; `database` is transferred, not copied). */
export interface SqlWorkerInput {
  /** sql.js's `initSqlJs` as source text (the worker cannot import the bundle it came from). */
  sqlJsSource: string;
  wasm: Uint8Array;
  /** A copy of the store's database (`db.export()`). */
  database: Uint8Array;
  /** Statements creating the views (`viewSetupStatements()`). */
  setup: string[];
  /** The guarded query. */
  query: string;
  maxRows: number;
}

export type SqlWorkerOutput =
  | { ok: true; columns: string[]; rows: SqlCell[][]; truncated: boolean; loadMs: number; setupMs: number; queryMs: number }
  | { ok: false; message: string; stage: 'load' | 'setup' | 'query' };

/**
 * The query worker's whole program. It runs from its source text (`String(sqlQueryWorkerMain)`)
 * as an `eval` worker: the extension, the engine and the CLI are single-file bundles, so there is
 * no worker script file to point at. It must therefore use nothing from outside its own body but
 * `require` of node:* modules — no imports, no helpers from other files.
 *
 * It opens its own copy of the database, registers the functions that decode packed metric
 * chunks, creates the views, sets `PRAGMA query_only`, runs the query inside a savepoint that is
 * rolled back, and posts at most `maxRows` rows. The runner terminates it when the time is up.
 */
export function sqlQueryWorkerMain(): void {
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  type SqlJsDatabase = import('sql.js').Database;
  type Columns = { steps: number[]; timestamps: number[]; values: number[] };
  const input = workerData as SqlWorkerInput;
  const post = (message: SqlWorkerOutput): void => parentPort!.postMessage(message);

  /**
   * Evaluates sql.js's factory from its source. Free names in it (its load-once promise, whatever
   * a minifier called it) land on a private scope object instead of the global one; globals and
   * the CommonJS names resolve as usual.
   */
  const loadSqlJs = (source: string): Promise<import('sql.js').SqlJsStatic> => {
    const passthrough = new Set(['require', 'module', 'exports', '__dirname', '__filename']);
    const scope = new Proxy(Object.create(null) as Record<string, unknown>, {
      has: (_target, key) => typeof key === 'string' && !passthrough.has(key) && !(key in globalThis),
    });
    const factory = new Function('scope', 'require', 'module', 'exports', '__dirname', '__filename', `with (scope) { return (${source}); }`);
    const init = factory(scope, require, { exports: {} }, {}, process.cwd(), 'sql-wasm.js') as (config: object) => Promise<import('sql.js').SqlJsStatic>;
    return init({ wasmBinary: input.wasm });
  };

  /** The packed point format of `metricChunkCodec.ts`: u32 count, u32 reserved, f64 values, zigzag varint deltas of steps, then of timestamps. */
  const decodePacked = (data: Uint8Array): Columns => {
    const count = data[0] + data[1] * 256 + data[2] * 65536 + data[3] * 16777216;
    const values = Array.from(new Float64Array(data.slice(8, 8 + count * 8).buffer));
    let pos = 8 + count * 8;
    const deltas = (): number[] => {
      const out: number[] = [];
      let previous = 0;
      for (let i = 0; i < count; i++) {
        let result = 0;
        let scale = 1;
        for (;;) {
          const byte = data[pos++];
          result += (byte & 127) * scale;
          if (byte < 128) break;
          scale *= 128;
        }
        previous += result % 2 === 0 ? result / 2 : -(result + 1) / 2;
        out.push(previous);
      }
      return out;
    };
    const steps = deltas();
    const timestamps = deltas();
    return { steps, timestamps, values };
  };

  /** Decoded chunks (part > 0: metric_chunks.chunk_id) and tails (part < 0: −series_id), the most recent few kept. */
  const registerFunctions = (db: SqlJsDatabase): void => {
    const chunkData = db.prepare('SELECT data FROM main.metric_chunks WHERE chunk_id = ?');
    const tailData = db.prepare('SELECT data FROM main.metric_tails WHERE series_id = ?');
    const cache = new Map<number, Columns>();
    let lastPart = Number.NaN;
    let last: Columns = { steps: [], timestamps: [], values: [] };
    const partColumns = (part: number): Columns => {
      if (part === lastPart) return last;
      let columns = cache.get(part);
      if (!columns) {
        const statement = part > 0 ? chunkData : tailData;
        statement.bind([Math.abs(part)]);
        const data = statement.step() ? (statement.get()[0] as Uint8Array | null) : null;
        statement.reset();
        columns = data ? decodePacked(data) : { steps: [], timestamps: [], values: [] };
        if (cache.size >= 64) cache.delete(cache.keys().next().value as number);
        cache.set(part, columns);
      }
      lastPart = part;
      last = columns;
      return columns;
    };
    db.create_function('trackside_metric_point', (part: number, n: number, field: number) => {
      const columns = partColumns(part);
      const value = field === 0 ? columns.steps[n] : field === 1 ? columns.timestamps[n] : columns.values[n];
      return value === undefined ? null : value;
    });
    db.create_function('trackside_packed_count', (header: Uint8Array | null) =>
      header && header.length >= 4 ? header[0] + header[1] * 256 + header[2] * 65536 + header[3] * 16777216 : 0,
    );
  };

  const cell = (value: unknown): SqlCell => {
    if (value instanceof Uint8Array) return `[blob ${value.length} bytes]`;
    if (typeof value === 'number' || typeof value === 'string' || value === null) return value;
    return String(value);
  };

  const started = Date.now();
  let stage: 'load' | 'setup' | 'query' = 'load';
  loadSqlJs(input.sqlJsSource)
    .then((SQL) => {
      const loaded = Date.now();
      const db = new SQL.Database(input.database);
      try {
        stage = 'setup';
        registerFunctions(db);
        for (const statement of input.setup) db.run(statement);
        db.run('PRAGMA query_only = 1');
        const ready = Date.now();
        stage = 'query';
        db.run('SAVEPOINT trackside_query');
        const statement = db.prepare(input.query);
        const columns = statement.getColumnNames();
        const rows: SqlCell[][] = [];
        let truncated = false;
        try {
          while (statement.step()) {
            if (rows.length >= input.maxRows) {
              truncated = true;
              break;
            }
            rows.push(statement.get().map(cell));
          }
        } finally {
          statement.free();
          db.run('ROLLBACK TO trackside_query');
        }
        post({ ok: true, columns, rows, truncated, loadMs: loaded - started, setupMs: ready - loaded, queryMs: Date.now() - ready });
      } finally {
        db.close();
      }
    })
    .catch((e: unknown) => post({ ok: false, stage, message: e instanceof Error ? e.message : String(e) }));
}
