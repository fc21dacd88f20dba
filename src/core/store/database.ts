import type { Database as SqlJsDatabase, SqlJsStatic, SqlValue, Statement } from 'sql.js';
import { sqlJsMemory } from './sqlJsLoader';
import { rowReaderFor, type SqlRowReader } from './sqlRows';

export type SqlParams = SqlValue[];
export type Row = Record<string, SqlValue>;

const MAX_CACHED_STATEMENTS = 256;

/**
 * A thin, typed wrapper around one sql.js database: bound parameters only, cached prepared
 * statements (freed on close), and one `transaction(fn)` helper that nests as savepoints.
 */
export class Database {
  private readonly statements = new Map<string, Statement>();
  private depth = 0;

  private constructor(
    private readonly db: SqlJsDatabase,
    private readonly rows: SqlRowReader,
  ) {
    this.db.run('PRAGMA foreign_keys = OFF');
    // The database lives in memory and the journal of Trackside makes it durable: SQLite's own
    // rollback journal only needs to undo a failed transaction, so keep it in memory too instead
    // of emscripten's in-memory file system (a file created and written per transaction).
    this.db.run('PRAGMA journal_mode = MEMORY');
    this.db.run('PRAGMA synchronous = OFF');
    this.db.run('PRAGMA temp_store = MEMORY');
  }

  static create(sql: SqlJsStatic, bytes?: Uint8Array): Database {
    return new Database(bytes ? new sql.Database(bytes) : new sql.Database(), rowReaderFor(sql, sqlJsMemory(sql)));
  }

  /** Runs one or more statements without parameters (DDL, pragmas). */
  exec(sqlText: string): void {
    this.db.exec(sqlText);
  }

  /** Runs a statement with bound parameters; returns the number of rows it changed. */
  run(sqlText: string, params: SqlParams = []): number {
    const stmt = this.prepare(sqlText);
    try {
      stmt.run(params);
    } finally {
      stmt.reset();
    }
    return this.db.getRowsModified();
  }

  /** The first row, or undefined. */
  get<T = Row>(sqlText: string, params: SqlParams = []): T | undefined {
    const stmt = this.prepare(sqlText);
    try {
      stmt.bind(params);
      return stmt.step() ? (stmt.getAsObject() as T) : undefined;
    } finally {
      stmt.reset();
    }
  }

  /** Every row as an object (column names read once, not per row as `getAsObject` does). */
  all<T = Row>(sqlText: string, params: SqlParams = []): T[] {
    const stmt = this.prepare(sqlText);
    const rows: T[] = [];
    try {
      stmt.bind(params);
      let names: string[] | undefined;
      while (stmt.step()) {
        names ??= stmt.getColumnNames();
        const values = this.rows.read(stmt);
        const row: Row = {};
        for (let i = 0; i < names.length; i++) row[names[i]] = values[i];
        rows.push(row as T);
      }
    } finally {
      stmt.reset();
    }
    return rows;
  }

  /** Every row as an array of values (cheaper than objects for large reads). */
  values(sqlText: string, params: SqlParams = []): SqlValue[][] {
    const stmt = this.prepare(sqlText);
    const rows: SqlValue[][] = [];
    try {
      stmt.bind(params);
      while (stmt.step()) rows.push(this.rows.read(stmt));
    } finally {
      stmt.reset();
    }
    return rows;
  }

  /** The first column of the first row. */
  scalar<T extends SqlValue = SqlValue>(sqlText: string, params: SqlParams = []): T | undefined {
    const stmt = this.prepare(sqlText);
    try {
      stmt.bind(params);
      return stmt.step() ? (this.rows.read(stmt)[0] as T) : undefined;
    } finally {
      stmt.reset();
    }
  }

  /** Calls `fn` for each row (values array) without building a list. */
  each(sqlText: string, params: SqlParams, fn: (row: SqlValue[]) => void): void {
    const stmt = this.prepare(sqlText);
    try {
      stmt.bind(params);
      while (stmt.step()) fn(this.rows.read(stmt));
    } finally {
      stmt.reset();
    }
  }

  lastInsertRowId(): number {
    return Number(this.scalar('SELECT last_insert_rowid()'));
  }

  /**
   * Runs `fn` atomically: a transaction at the outermost level, a savepoint inside another.
   * Any throw rolls back what `fn` did and rethrows.
   */
  transaction<T>(fn: () => T): T {
    const savepoint = `sp${this.depth}`;
    this.db.run(this.depth === 0 ? 'BEGIN' : `SAVEPOINT ${savepoint}`);
    this.depth++;
    try {
      const result = fn();
      this.depth--;
      this.db.run(this.depth === 0 ? 'COMMIT' : `RELEASE ${savepoint}`);
      return result;
    } catch (e) {
      this.depth--;
      if (this.depth === 0) this.db.run('ROLLBACK');
      else this.db.run(`ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
      throw e;
    }
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  /** The whole database as SQLite file bytes (synchronous; ~80 ms per 100 MB). */
  export(): Uint8Array {
    return this.db.export();
  }

  close(): void {
    for (const stmt of this.statements.values()) stmt.free();
    this.statements.clear();
    this.db.close();
  }

  private prepare(sqlText: string): Statement {
    let stmt = this.statements.get(sqlText);
    if (stmt) {
      // Keep the map in least-recently-used order.
      this.statements.delete(sqlText);
      this.statements.set(sqlText, stmt);
      return stmt;
    }
    stmt = this.db.prepare(sqlText);
    this.statements.set(sqlText, stmt);
    if (this.statements.size > MAX_CACHED_STATEMENTS) {
      // Generated SQL (searches) must not grow the cache forever. Statements are reset after each
      // use, so the least recently used one is idle unless a caller is iterating it right now.
      const [oldestText, oldest] = this.statements.entries().next().value as [string, Statement];
      if (oldestText !== sqlText) {
        this.statements.delete(oldestText);
        oldest.free();
      }
    }
    return stmt;
  }
}
