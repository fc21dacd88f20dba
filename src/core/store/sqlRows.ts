import type { SqlJsStatic, SqlValue, Statement } from 'sql.js';

/**
 * sql.js copies a BLOB out of the WebAssembly heap one byte at a time (`Statement.get`,
 * `getBlob`): ~9 ms for the 5.5 MB of chunks behind a 50-run chart. With the module's memory (kept
 * by `loadSqlJs`) and SQLite's exported column functions, a row's values are read the same way with
 * one native copy per BLOB. The statement's handle is a private (minified) field of sql.js's
 * `Statement`: it is found once by a self-test against `Statement.get()` on a known row, and when
 * that fails (another sql.js build) rows are read with `Statement.get()` as before.
 */
export interface SqlRowReader {
  /** The current row's values, exactly as `stmt.get()` would give them. */
  read(stmt: Statement): SqlValue[];
  /** Whether BLOBs are copied natively (false: `stmt.get()` is used). */
  readonly native: boolean;
}

/** A WebAssembly memory (the part used here). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** The C functions sql.js exports on its module (not in its typings). */
interface SqliteExports {
  _sqlite3_data_count(stmt: number): number;
  _sqlite3_column_type(stmt: number, column: number): number;
  _sqlite3_column_double(stmt: number, column: number): number;
  _sqlite3_column_text(stmt: number, column: number): number;
  _sqlite3_column_blob(stmt: number, column: number): number;
  _sqlite3_column_bytes(stmt: number, column: number): number;
  UTF8ToString(pointer: number, maxBytes?: number, ignoreNul?: boolean): string;
}

const SQLITE_INTEGER = 1;
const SQLITE_FLOAT = 2;
const SQLITE_TEXT = 3;
const SQLITE_BLOB = 4;

const plainReader: SqlRowReader = { read: (stmt) => stmt.get(), native: false };
const readers = new WeakMap<SqlJsStatic, SqlRowReader>();

/** The row reader for this sql.js module (native BLOB copies when its memory is known and the self-test passes). */
export function rowReaderFor(sql: SqlJsStatic, memory: WasmMemory | undefined): SqlRowReader {
  let reader = readers.get(sql);
  if (!reader) {
    reader = (memory && nativeReader(sql, memory)) || plainReader;
    readers.set(sql, reader);
  }
  return reader;
}

function nativeReader(sql: SqlJsStatic, memory: WasmMemory): SqlRowReader | undefined {
  const c = sql as unknown as SqliteExports;
  if (typeof c._sqlite3_column_blob !== 'function' || typeof c._sqlite3_data_count !== 'function' || typeof c.UTF8ToString !== 'function') return undefined;
  const readAt = (handle: number): SqlValue[] => {
    const n = c._sqlite3_data_count(handle);
    const row: SqlValue[] = new Array(n);
    for (let i = 0; i < n; i++) {
      switch (c._sqlite3_column_type(handle, i)) {
        case SQLITE_INTEGER:
        case SQLITE_FLOAT:
          row[i] = c._sqlite3_column_double(handle, i);
          break;
        case SQLITE_TEXT: {
          const pointer = c._sqlite3_column_text(handle, i);
          row[i] = c.UTF8ToString(pointer, c._sqlite3_column_bytes(handle, i), true);
          break;
        }
        case SQLITE_BLOB: {
          const pointer = c._sqlite3_column_blob(handle, i);
          const size = c._sqlite3_column_bytes(handle, i);
          // A fresh copy (as sql.js gives): the heap is reused by the next step and may grow.
          row[i] = size === 0 ? new Uint8Array(0) : new Uint8Array(memory.buffer, pointer, size).slice();
          break;
        }
        default:
          row[i] = null;
      }
    }
    return row;
  };
  const field = handleField(sql, readAt);
  if (!field) return undefined;
  return { read: (stmt) => readAt((stmt as unknown as Record<string, number>)[field]), native: true };
}

/**
 * The name of the Statement field holding SQLite's statement handle: the numeric field (a heap
 * address, so not a small counter) with which `readAt` gives exactly what `stmt.get()` gives for a
 * row of every type.
 */
function handleField(sql: SqlJsStatic, readAt: (handle: number) => SqlValue[]): string | undefined {
  const db = new sql.Database();
  try {
    const stmt = db.prepare("SELECT 7, -2.5, 'tëxt', NULL, x'00ff10807f', x'', 9007199254740991");
    try {
      if (!stmt.step()) return undefined;
      const expected = stmt.get();
      for (const [name, value] of Object.entries(stmt)) {
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 4096) continue;
        if (sameRow(readAt(value), expected)) return name;
      }
      return undefined;
    } finally {
      stmt.free();
    }
  } catch {
    return undefined;
  } finally {
    db.close();
  }
}

function sameRow(a: SqlValue[], b: SqlValue[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((value, i) => {
    const other = b[i];
    if (value instanceof Uint8Array && other instanceof Uint8Array) return value.length === other.length && value.every((byte, j) => byte === other[j]);
    return value === other;
  });
}
