// Helpers shared by bench sections: load compiled modules from out/, time things, report rows.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const requireOut = createRequire(path.join(root, 'out', 'index.js'));
/** A compiled project module, e.g. load('src/core/store/storeBackend'). */
export const load = (rel) => requireOut(path.join(root, 'out', rel));
export const requireProject = createRequire(path.join(root, 'package.json'));

export function tempDir(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `trackside-bench-${name}-`));
}

export const now = () => Number(process.hrtime.bigint()) / 1e6;

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Prints one result row for bench/run.mjs. `ok` compares against the target. */
export function report(row) {
  console.log('RESULT ' + JSON.stringify(row));
}

export function log(message) {
  console.log(`  ${message}`);
}

export function fileSizeMb(file) {
  return fs.statSync(file).size / 1024 / 1024;
}

export function rssMb() {
  global.gc?.();
  return process.memoryUsage().rss / 1024 / 1024;
}
