// Trackside inside real VS Code (code-server): activation cost, the first page of a 10k-run experiment,
// and the extension host's event-loop delay while another process ingests 250k points/s.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { log, root, tempDir } from './benchUtil.mjs';

const { withStoreServer } = await import('../test/harness/seedStore.mjs');
const { missingPrerequisite } = await import('../test/harness/codeServer.mjs');
if (missingPrerequisite()) {
  log(`skipped: ${missingPrerequisite()}`);
  process.exit(0);
}

const folder = tempDir('vscode');
await withStoreServer(path.join(folder, '.trackside'), async ({ api }) => {
  const { experiment_id } = await api('experiments/create', { name: 'ten-thousand' });
  for (let i = 0; i < 10_000; i++) {
    const { run } = await api('runs/create', { experiment_id, run_name: `run-${i}`, start_time: 1_700_000_000_000 + i * 1000 });
    if (i % 10 === 0) await api('runs/log-batch', { run_id: run.info.run_id, metrics: [{ key: 'loss', value: 1 / (i + 1), timestamp: 1, step: 0 }] });
  }
});
log('seeded 10,000 runs');

const child = spawn(process.execPath, [path.join(root, 'test', 'harness', 'runIntegration.mjs'), '--folder', folder, '--tests', path.join(root, 'out', 'test', 'integration', 'bench', 'benchIndex.js')], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
let buffered = '';
child.stdout.on('data', (chunk) => {
  buffered += chunk;
  const lines = buffered.split('\n');
  buffered = lines.pop();
  for (const line of lines) if (line.startsWith('RESULT ')) console.log(line);
});
await new Promise((resolve) => child.on('exit', resolve));
fs.rmSync(folder, { recursive: true, force: true });
