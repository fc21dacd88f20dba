// Runs Trackside's integration tests (mocha, compiled to out/test/integration/) inside the real Node
// extension host of VS Code 1.100.3 (code-server), with headless Chromium showing the workbench.
// The process exits with the code VS Code reports at the end of the run (0 = all passed).
//
// Usage: node test/harness/runIntegration.mjs [--folder <workspace folder>] [--tests <compiled index.js>]
//   --folder  folder opened in the window (default: a new empty temp folder, removed afterwards)
//   --tests   module whose run() the extension host calls (default: out/test/integration/index.js)
// Env: TRACKSIDE_IT_TIMEOUT_MS  whole-run timeout (default 300000); on timeout a screenshot is saved to
//        test-results/screenshots/integration-timeout.png and the run fails.
//      TRACKSIDE_IT_GREP        only tests whose full title matches (read by test/integration/index.ts).
//      TRACKSIDE_*              passed through to the extension host (it inherits code-server's environment).
//      TRACKSIDE_KEEP_STATE=1   keep code-server's state folder (settings, logs) for inspection.
import fs from 'node:fs';
import path from 'node:path';
import { format, parseArgs } from 'node:util';
import {
  createStateDirectory,
  launchBrowser,
  missingPrerequisite,
  projectRoot,
  screenshot,
  startCodeServer,
  workbenchUrl,
} from './codeServer.mjs';

const { values: options } = parseArgs({
  options: { folder: { type: 'string' }, tests: { type: 'string' } },
});
const timeoutMs = Number(process.env.TRACKSIDE_IT_TIMEOUT_MS ?? 300000);
const testsPath = path.resolve(options.tests ?? path.join(projectRoot, 'out', 'test', 'integration', 'index.js'));
const started = Date.now();
const log = (message) => console.log(`[integration] ${message}`);

/** Console lines from the workbench that are expected on this machine and say nothing about Trackside. */
const noise = [
  /^Ignoring fetching additional builtin extensions from gallery/,
  /^Updating additional builtin extensions cache/,
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket/,
  /^\[Service Worker\]/,
  /^ChatSessionStore:/,
];

async function main() {
  const prerequisite = missingPrerequisite();
  if (prerequisite) {
    console.error(`[integration] ${prerequisite}`);
    return 1;
  }
  if (!fs.existsSync(testsPath)) {
    console.error(`[integration] ${testsPath} does not exist: compile the tests first (npx tsc -p tsconfig.test.json)`);
    return 1;
  }
  if (!fs.existsSync(path.join(projectRoot, 'dist', 'extension.js'))) {
    console.error('[integration] dist/extension.js does not exist: build first (npm run build)');
    return 1;
  }
  const ownFolder = options.folder === undefined;
  const folder = path.resolve(options.folder ?? createStateDirectory('trackside-ws-'));
  fs.mkdirSync(folder, { recursive: true });

  const keepState = process.env.TRACKSIDE_KEEP_STATE === '1';
  const server = await startCodeServer({ keepState });
  log(`code-server ${server.baseUrl} ready in ${server.readyMs} ms (state: ${server.stateDirectory})`);
  let context;
  try {
    context = await launchBrowser();
    const page = context.pages()[0] ?? (await context.newPage());
    let finish;
    const finished = new Promise((resolve) => (finish = resolve));
    // The web workbench calls these two when extensionTestsPath is set: the extension host's console
    // output, then the exit code. They must exist before the page loads.
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = format(...args);
      if (noise.some((pattern) => pattern.test(line))) return;
      (type === 'error' ? console.error : console.log)(line);
    });
    await page.exposeFunction('codeAutomationExit', (code) => finish(code));
    page.on('pageerror', (error) => console.error(`[integration] page error: ${error.message}`));

    const url = workbenchUrl(server, { folder, extensionDevelopmentPath: projectRoot, extensionTestsPath: testsPath });
    log(`opening ${folder} with ${path.relative(projectRoot, testsPath)}`);
    await page.goto(url);
    let timer;
    const timedOut = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const result = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      const file = await screenshot(page, 'integration-timeout').catch(() => undefined);
      console.error(`[integration] TIMEOUT: no result after ${timeoutMs} ms${file ? `; screenshot: ${file}` : ''}`);
      return 2;
    }
    return Number(result);
  } finally {
    await context?.close().catch(() => {});
    await server.stop();
    if (keepState) log(`state kept in ${server.stateDirectory}`);
    if (ownFolder) fs.rmSync(folder, { recursive: true, force: true });
  }
}

// Ctrl-C: exit at once; codeServer.mjs and playwright end code-server and Chromium on exit.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

let code;
try {
  code = await main();
} catch (error) {
  console.error('[integration] harness error:', error);
  code = 1;
}
log(`exit code ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(code);
