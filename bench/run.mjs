// `npm run bench`: runs each bench section in its own process and prints every figure beside its
// target and beside the reference measured in the same run. Never part of pass/fail tests.
// Usage: npm run bench [-- section ...]   (sections: see bench/*.bench.mjs)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const sections = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .map((f) => f.replace('.bench.mjs', ''))
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();

const rows = [];
for (const section of sections) {
  console.log(`\n## ${section}`);
  const t0 = Date.now();
  const child = spawnSync(process.execPath, ['--expose-gc', path.join(here, `${section}.bench.mjs`)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const line of child.stdout.split('\n')) {
    if (line.startsWith('RESULT ')) rows.push({ section, ...JSON.parse(line.slice(7)) });
    else if (line.trim()) console.log(line);
  }
  if (child.status !== 0) rows.push({ section, name: `${section} section`, value: 'failed', unit: '', target: '', reference: '', ok: false });
  console.log(`(${section}: ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

const fmt = (v) => (typeof v === 'number' ? (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(2)) : String(v ?? ''));
const table = [['figure', 'measured', 'target', 'reference (same run)', '']];
for (const r of rows) {
  table.push([
    r.name,
    `${fmt(r.value)} ${r.unit ?? ''}`.trim(),
    r.target ?? '',
    r.reference === undefined ? '' : `${fmt(r.reference)} ${r.referenceUnit ?? r.unit ?? ''} ${r.referenceName ? `(${r.referenceName})` : ''}`.trim(),
    r.ok === undefined ? '' : r.ok ? 'meets' : 'MISSES',
  ]);
}
const widths = table[0].map((_, c) => Math.max(...table.map((row) => String(row[c]).length)));
console.log('\n' + table.map((row, i) => row.map((cell, c) => String(cell).padEnd(widths[c])).join('  ') + (i === 0 ? '\n' + widths.map((w) => '-'.repeat(w)).join('  ') : '')).join('\n'));
fs.mkdirSync(path.join(here, 'results'), { recursive: true });
fs.writeFileSync(path.join(here, 'results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify(rows, null, 2));
