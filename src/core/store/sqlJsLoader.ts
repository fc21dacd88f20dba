import fs from 'node:fs';
import path from 'node:path';
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';
import type { WasmMemory } from './sqlRows';

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

/** The part of the WebAssembly JS API used here (this project's type libraries do not declare it). */
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
  Memory: abstract new (...args: never[]) => WasmMemory;
};

const memories = new WeakMap<SqlJsStatic, WasmMemory>();

/**
 * Loads sql.js once per thread, handing it the wasm bytes (never `locateFile`/`fetch`). It is
 * instantiated here so that its memory is known (see `sqlJsMemory`).
 */
export function loadSqlJs(): Promise<SqlJsStatic> {
  loading ??= (async () => {
    const wasm = fs.readFileSync(findSqlWasm());
    let memory: WasmMemory | undefined;
    const sql = await initSqlJs({
      instantiateWasm: (imports: Record<string, Record<string, unknown>>, receive: (instance: unknown) => void) => {
        void WebAssembly.instantiate(wasm, imports).then(({ instance }) => {
          memory = [...Object.values(instance.exports), ...Object.values(imports).flatMap((m) => Object.values(m))].find(
            (value): value is WasmMemory => value instanceof WebAssembly.Memory,
          );
          receive(instance);
        });
        return {};
      },
    } as Parameters<typeof initSqlJs>[0]);
    if (memory) memories.set(sql, memory);
    return sql;
  })();
  return loading;
}

/** The WebAssembly memory of a sql.js module loaded by `loadSqlJs` (undefined for others). */
export function sqlJsMemory(sql: SqlJsStatic): WasmMemory | undefined {
  return memories.get(sql);
}
