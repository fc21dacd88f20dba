// Entry of `npm start` and `npm test` on a fresh clone: installs the project's npm dependencies when
// they are missing or stale (nothing but node:* is imported before that), then runs the real script.
// Usage: node test/harness/bootstrap.mjs start|test [args…]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const targets = { start: 'test/harness/start.mjs', test: 'test/runAll.mjs' };
const [name, ...rest] = process.argv.slice(2);
if (!targets[name]) {
  console.error(`usage: node test/harness/bootstrap.mjs ${Object.keys(targets).join('|')} [args…]`);
  process.exit(2);
}

const marker = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');
if (!fs.existsSync(marker) || fs.statSync(marker).mtimeMs < fs.statSync(lock).mtimeMs) {
  console.log('[setup] installing npm dependencies (npm ci)…');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('[setup] npm ci failed: see the messages above.');
    process.exit(result.status ?? 1);
  }
}
process.argv = [process.argv[0], path.join(root, targets[name]), ...rest];
await import(pathToFileURL(path.join(root, targets[name])).href);
