import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { SqlValue } from 'sql.js';
import { Database } from '../../../src/core/store/database';
import { loadSqlJs, sqlJsMemory } from '../../../src/core/store/sqlJsLoader';
import { rowReaderFor } from '../../../src/core/store/sqlRows';

describe('sql.js rows with native BLOB copies', () => {
  it('finds the module memory and the statement handle (the self-test passes on this sql.js)', async () => {
    const sql = await loadSqlJs();
    assert.ok(sqlJsMemory(sql), 'loadSqlJs keeps the WebAssembly memory');
    assert.equal(rowReaderFor(sql, sqlJsMemory(sql)).native, true);
  });

  it('reads every type as Statement.get() does, BLOBs as fresh copies that outlive the next row', async () => {
    const sql = await loadSqlJs();
    const db = Database.create(sql);
    db.exec('CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n)');
    const blobs = [crypto.randomBytes(100_000), new Uint8Array(0), Uint8Array.from([0, 255, 128, 127])];
    const rows: SqlValue[][] = [
      [1, 0.5, 'plain', blobs[0], null],
      [-(2 ** 53) + 1, -1e300, 'ünïcödé \u{1F600} and a NUL \u0000 inside', blobs[1], 7],
      [2 ** 40, Number.MIN_VALUE, '', blobs[2], 'text in an untyped column'],
    ];
    for (const row of rows) db.run('INSERT INTO t VALUES (?, ?, ?, ?, ?)', row);
    const read: SqlValue[][] = [];
    db.each('SELECT i, r, s, b, n FROM t ORDER BY rowid', [], (row) => read.push(row));
    assert.deepEqual(read, rows.map((row) => row.map((v) => (v instanceof Buffer ? new Uint8Array(v) : v))));
    // The same through sql.js itself (the reference the reader must match).
    const direct = new sql.Database(db.export());
    const stmt = direct.prepare('SELECT i, r, s, b, n FROM t ORDER BY rowid');
    const expected: SqlValue[][] = [];
    while (stmt.step()) expected.push(stmt.get());
    stmt.free();
    direct.close();
    assert.deepEqual(read, expected);
    // Copies, not views of the WebAssembly heap: later queries do not change them.
    const first = read[0][3] as Uint8Array;
    db.run('UPDATE t SET b = zeroblob(100000)');
    db.values('SELECT b FROM t');
    assert.deepEqual(Buffer.from(first), blobs[0]);
    assert.equal(db.scalar<Uint8Array>('SELECT b FROM t WHERE i = 1')?.every((byte) => byte === 0), true);
    db.close();
  });
});
