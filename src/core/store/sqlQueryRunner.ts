import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import initSqlJs from 'sql.js';
import { guardQuery } from './sqlGuard';
import { findSqlWasm } from './sqlJsLoader';
import { sqlQueryWorkerMain, type SqlCell, type SqlWorkerInput, type SqlWorkerOutput } from './sqlQueryWorker';
import { SYSTEM_VIEW_NAMES, viewSetupStatements } from './sqlViews';
import type { Store } from './store';
import { TrackingError, invalidParameter } from './trackingError';

/**
 * Read-only SQL over the `system.ml.*` views (`sqlViews.ts`), off the engine's thread.
 *
 * Each query runs in a short-lived worker thread on its own copy of the database: the engine
 * flushes the unsealed metric tails into the database (what a checkpoint does), exports it
 * (synchronous, ~80 ms per 100 MB, the only time the engine is busy) and transfers the bytes to
 * the worker, then goes on answering requests. sql.js has no progress handler and cannot
 * interrupt a running statement, so the time limit is the worker being terminated.
 *
 * Writes are refused three times over: the guard (`sqlGuard.ts`) accepts one SELECT / WITH /
 * VALUES / EXPLAIN statement with no write, DDL, PRAGMA or ATTACH keyword in it; the worker sets
 * `PRAGMA query_only` and runs the query in a savepoint it always rolls back; and whatever still
 * got through would change a copy that is thrown away — never the store, its journal or its
 * snapshot.
 */

export const SQL_LIMITS = {
  /** Rows returned unless asked otherwise; more set `truncated`. */
  defaultMaxRows: 10_000,
  maxRows: 100_000,
  /** The time limit unless asked otherwise (worker start, copy, views and the query together). */
  defaultTimeoutMs: 10_000,
  maxTimeoutMs: 120_000,
  minTimeoutMs: 100,
  /** Queries running at once per store (each holds a copy of the database); more wait their turn. */
  concurrent: 2,
  queryLength: 100_000,
} as const;

export interface SqlQueryOptions {
  maxRows?: number;
  timeoutMs?: number;
}

/** `POST /api/2.0/trackside/sql`'s answer. */
export interface SqlQueryResult {
  columns: string[];
  rows: SqlCell[][];
  /** More rows matched than `max_rows`. */
  truncated: boolean;
  elapsed_ms: number;
}

/** The query ran past its time limit and was stopped. */
export class SqlTimeoutError extends TrackingError {
  constructor(readonly timeoutMs: number) {
    super(
      'REQUEST_LIMIT_EXCEEDED',
      `The query ran past its time limit of ${formatSeconds(timeoutMs)} and was stopped. Narrow it (WHERE run_id = …, LIMIT) ` +
        `or allow more time (at most ${formatSeconds(SQL_LIMITS.maxTimeoutMs)}).`,
    );
    this.name = 'SqlTimeoutError';
  }
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

let wasm: Uint8Array | undefined;

/** Limits how many queries run at once on one store. */
class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  async enter(): Promise<void> {
    if (this.running < SQL_LIMITS.concurrent) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  leave(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

const gates = new WeakMap<Store, Gate>();

/**
 * Runs one read-only query on a copy of `store`'s database. Throws SqlRefusedError (the guard
 * refused it), SqlTimeoutError, or a TrackingError INVALID_PARAMETER_VALUE carrying SQLite's
 * message (a syntax error, an unknown column).
 */
export async function runSqlQuery(store: Store, query: string, options: SqlQueryOptions = {}): Promise<SqlQueryResult> {
  const started = Date.now();
  const maxRows = options.maxRows ?? SQL_LIMITS.defaultMaxRows;
  const timeoutMs = options.timeoutMs ?? SQL_LIMITS.defaultTimeoutMs;
  const guarded = guardQuery(query, SYSTEM_VIEW_NAMES);
  let gate = gates.get(store);
  if (!gate) gates.set(store, (gate = new Gate()));
  await gate.enter();
  try {
    const remaining = timeoutMs - (Date.now() - started);
    if (remaining <= 0) throw new SqlTimeoutError(timeoutMs);
    store.history.flush();
    let database = store.db.export();
    // Transfer only a buffer of its own (never a view into sql.js's WebAssembly memory).
    if (database.byteOffset !== 0 || database.byteLength !== database.buffer.byteLength) database = database.slice();
    wasm ??= fs.readFileSync(findSqlWasm());
    const input: SqlWorkerInput = {
      sqlJsSource: initSqlJs.toString(),
      wasm,
      database,
      setup: viewSetupStatements(),
      query: guarded.sql,
      maxRows,
    };
    const output = await runWorker(input, remaining, timeoutMs);
    if (!output.ok) {
      if (output.stage === 'query') throw invalidParameter(`SQL error: ${output.message}`);
      throw new TrackingError('INTERNAL_ERROR', `The query could not start (${output.stage}): ${output.message}`);
    }
    return { columns: output.columns, rows: output.rows, truncated: output.truncated, elapsed_ms: Date.now() - started };
  } finally {
    gate.leave();
  }
}

function runWorker(input: SqlWorkerInput, remainingMs: number, timeoutMs: number): Promise<SqlWorkerOutput> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(`(${sqlQueryWorkerMain.toString()})()`, {
      eval: true,
      workerData: input,
      transferList: [input.database.buffer as ArrayBuffer],
    });
    let settled = false;
    const settle = (error: Error | undefined, output?: SqlWorkerOutput): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      if (error) reject(error);
      else resolve(output!);
    };
    const timer = setTimeout(() => settle(new SqlTimeoutError(timeoutMs)), remainingMs);
    worker.once('message', (output: SqlWorkerOutput) => settle(undefined, output));
    worker.once('error', (e) => {
      const outOfMemory = (e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
      settle(
        new TrackingError(
          outOfMemory ? 'REQUEST_LIMIT_EXCEEDED' : 'INTERNAL_ERROR',
          outOfMemory ? 'The query needed more memory than a query may use: narrow it or lower max_rows.' : `The query stopped: ${e.message}`,
        ),
      );
    });
    worker.once('exit', (code) => settle(new TrackingError('INTERNAL_ERROR', `The query's worker exited (code ${code}) without an answer.`)));
  });
}

/** A query request's fields (`{query, max_rows?, timeout_ms?}`), validated. */
export function parseSqlRequest(body: Record<string, unknown>): { query: string } & Required<SqlQueryOptions> {
  const query = body.query;
  if (typeof query !== 'string' || query.trim() === '') {
    throw invalidParameter("Missing value for required parameter 'query': give one SELECT statement.");
  }
  if (query.length > SQL_LIMITS.queryLength) throw invalidParameter(`The query is longer than ${SQL_LIMITS.queryLength} characters.`);
  const whole = (value: unknown, name: string, min: number, max: number, fallback: number): number => {
    if (value === undefined || value === null || value === '') return fallback;
    const number = Number(value);
    if (!Number.isSafeInteger(number) || number < min || number > max) {
      throw invalidParameter(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}.`);
    }
    return number;
  };
  return {
    query,
    maxRows: whole(body.max_rows, 'max_rows', 1, SQL_LIMITS.maxRows, SQL_LIMITS.defaultMaxRows),
    timeoutMs: whole(body.timeout_ms, 'timeout_ms', SQL_LIMITS.minTimeoutMs, SQL_LIMITS.maxTimeoutMs, SQL_LIMITS.defaultTimeoutMs),
  };
}

/** The `sql` extra's handler body: validates the request and runs it on the store. */
export function answerSqlRequest(store: Store, body: Record<string, unknown>): Promise<SqlQueryResult> {
  const { query, maxRows, timeoutMs } = parseSqlRequest(body);
  return runSqlQuery(store, query, { maxRows, timeoutMs });
}
