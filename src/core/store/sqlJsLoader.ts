import fs from 'node:fs';
import path from 'node:path';
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';

let loading: Promise<SqlJsStatic> | undefined;

/**
 * Where sql.js's WebAssembly lives: next to the running bundle in `dist/` (the extension, the
 * engine worker and the CLI all ship it there), else in `node_modules` (unit tests run from `out/`).
 */
export function findSqlWasm(): string {
  const candidates = [
    process.env.TRACKSIDE_SQL_WASM,
    path.join(__dirname, 'sql-wasm.wasm'),
    path.join(__dirname, '..', 'sql-wasm.wasm'),
  ];
  for (const candidate of candidates) {
    if (candidate && fs.existsSync(candidate)) return candidate;
  }
  // Walk up to the package root (tests compiled to out/…) and use the installed sql.js.
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm');
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`sql-wasm.wasm not found next to ${__dirname}; rebuild with 'npm run build'`);
}

/** Loads sql.js once per thread, handing it the wasm bytes (never `locateFile`/`fetch`). */
export function loadSqlJs(): Promise<SqlJsStatic> {
  loading ??= initSqlJs({ wasmBinary: fs.readFileSync(findSqlWasm()) as unknown as ArrayBuffer });
  return loading;
}
