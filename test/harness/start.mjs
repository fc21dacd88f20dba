// `npm start`: builds Trackside, opens the demo workspace in VS Code (code-server) with the extension loaded
// in development mode, prints the URL to open and serves until Ctrl-C.
//
// Env: TRACKSIDE_PORT      port to serve on (default 8080; the next free one if it is taken)
//      TRACKSIDE_DEMO_DIR  the demo workspace (default <project>/.demo-workspace)
//      BROWSER             when set, the URL is opened with it
// Rebuild with `npm run build` (or keep `npm run watch` running) and reload the browser tab
// ("Developer: Reload Window") to pick up changes.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { codeServerBinary, freePort, projectRoot, startCodeServer, workbenchUrl } from './codeServer.mjs';
import { prepareDemoWorkspace } from './demoWorkspace.mjs';

const log = (message) => console.log(`[start] ${message}`);

function runOrExit(command, args) {
  const result = spawnSync(command, args, { cwd: projectRoot, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`[start] ${command} ${args.join(' ')} failed (exit code ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

runOrExit('npm', ['run', 'build']);
if (!fs.existsSync(codeServerBinary)) {
  log('code-server is not installed yet: running test/harness/setupCodeServer.sh');
  runOrExit('bash', [path.join(projectRoot, 'test', 'harness', 'setupCodeServer.sh')]);
}

const folder = path.resolve(process.env.TRACKSIDE_DEMO_DIR ?? path.join(projectRoot, '.demo-workspace'));
await prepareDemoWorkspace(folder);

const wantedPort = Number(process.env.TRACKSIDE_PORT ?? 8080);
const port = await freePort(wantedPort);
if (port !== wantedPort) log(`port ${wantedPort} is taken: using ${port}`);
const server = await startCodeServer({ port });
const url = workbenchUrl(server, { folder, extensionDevelopmentPath: projectRoot });

console.log('');
log(`VS Code ${readVsCodeVersion()} with Trackside (development mode) on ${folder}`);
log(`open: ${url}`);
log('stop: Ctrl-C');
console.log('');
if (process.env.BROWSER) {
  spawn(process.env.BROWSER, [url], { stdio: 'ignore', detached: true }).on('error', (error) => {
    log(`could not start $BROWSER (${process.env.BROWSER}): ${error.message}`);
  }).unref();
}

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping code-server`);
  await server.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
server.process.on('exit', (code, signal) => {
  if (stopping) return;
  console.error(`[start] code-server exited (${code ?? signal}); its log: ${server.logFile}`);
  process.exit(1);
});

function readVsCodeVersion() {
  try {
    const product = path.join(path.dirname(codeServerBinary), '..', 'code-server', 'lib', 'vscode', 'package.json');
    return JSON.parse(fs.readFileSync(product, 'utf8')).version;
  } catch {
    return '(unknown version)';
  }
}
