// The folder `npm start` opens in VS Code: the demo project files (test/fixtures/demo-workspace/) and a
// Trackside store holding experiments, runs, nested runs and registered model versions, logged through
// the real REST API by the bundled Python client. Idempotent: files a person edited are kept, and the
// store is seeded only once.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from './codeServer.mjs';
import { withStoreServer } from './seedStore.mjs';

const readme = `# Trackside demo workspace

Opened by \`npm start\` in the Trackside repository. Open the Trackside view in the activity bar:
experiments \`churn-model\` and \`fraud-detector\` with runs and a nested sweep, and the registered
model \`churn\` with aliases. New terminals already log into this store (\`MLFLOW_TRACKING_URI\`).
It is generated (see \`test/harness/demoWorkspace.mjs\`); delete the folder to start afresh.
`;

/** Copies `from` into `to`, never overwriting a file that exists. */
function copyMissing(from, to) {
  if (!fs.existsSync(from)) return;
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      fs.mkdirSync(target, { recursive: true });
      copyMissing(source, target);
    } else if (!fs.existsSync(target)) {
      fs.copyFileSync(source, target);
    }
  }
}

function runPython(script, env) {
  return new Promise((resolve, reject) => {
    execFile('python3', [script], { env: { ...process.env, ...env }, timeout: 180_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`python3 ${path.basename(script)} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/**
 * Creates (or completes) the demo workspace in `folder`.
 * @param {string} folder
 * @returns {Promise<void>}
 */
export async function prepareDemoWorkspace(folder) {
  fs.mkdirSync(folder, { recursive: true });
  const readmeFile = path.join(folder, 'README.md');
  if (!fs.existsSync(readmeFile)) fs.writeFileSync(readmeFile, readme);
  copyMissing(path.join(projectRoot, 'test', 'fixtures', 'demo-workspace'), folder);
  const settingsFile = path.join(folder, '.vscode', 'settings.json');
  if (!fs.existsSync(settingsFile)) {
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(settingsFile, JSON.stringify({ 'trackside.tree.keyMetric': 'val_auc' }, null, 2) + '\n');
  }
  const store = path.join(folder, '.trackside');
  if (fs.existsSync(path.join(store, 'store.sqlite'))) return;
  console.log('[start] logging the demo data through the Python client…');
  await withStoreServer(store, ({ url, token }) =>
    runPython(path.join(projectRoot, 'test', 'harness', 'demoSeed.py'), {
      MLFLOW_TRACKING_URI: url,
      MLFLOW_TRACKING_TOKEN: token,
      PYTHONPATH: path.join(projectRoot, 'src', 'python'),
    }),
  );
}
