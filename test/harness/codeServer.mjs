// Real VS Code for Trackside's tests: code-server 4.100.3 (VS Code 1.100.3 with a Node 20 extension host)
// driven by Debian's Chromium through playwright-core. Install both with test/harness/setupCodeServer.sh.
//
// The extension is loaded in development mode, and tests are run, through the workbench URL's `payload`
// parameter (code-server rejects --extensionDevelopmentPath on its command line). The extension runs in
// code-server's remote Node extension host: vscode.env.remoteName is '127.0.0.1:<port>', uiKind is Web.
//
// Used by runIntegration.mjs, start.mjs and the e2e tests (test/e2e/*.e2e.mjs).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const codeServerDirectory =
  process.env.TRACKSIDE_CS_DIR ?? path.join(os.homedir(), '.cache', 'trackside', 'code-server');
export const codeServerBinary = path.join(codeServerDirectory, 'node_modules', '.bin', 'code-server');
export const chromiumBinary = process.env.TRACKSIDE_CHROMIUM ?? '/usr/bin/chromium';
export const screenshotDirectory =
  process.env.TRACKSIDE_SCREENSHOT_DIR ?? path.join(projectRoot, 'test-results', 'screenshots');
export const setupCommand = 'test/harness/setupCodeServer.sh';

/** Settings every test window starts with: no tips, walkthroughs, update checks or telemetry. */
const baseSettings = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'window.restoreWindows': 'none',
  'chat.commandCenter.enabled': false,
};

/** Variables the extension host (a child of code-server) inherits from the caller; everything else
 *  (MLFLOW_*, VSCODE_*, NODE_OPTIONS, …) stays out so a developer's shell does not change test results. */
const inheritedVariables = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL', 'TZ', 'TERM'];

/** Why the harness cannot run here, or undefined when code-server and Chromium are both installed. */
export function missingPrerequisite() {
  if (!fs.existsSync(codeServerBinary)) {
    return `code-server is not installed (looked for ${codeServerBinary}); run ${setupCommand}`;
  }
  if (!fs.existsSync(chromiumBinary)) {
    return `Chromium is not installed (looked for ${chromiumBinary}); run ${setupCommand}`;
  }
  return undefined;
}

/** A TCP port that was free on 127.0.0.1 a moment ago: `preferred` if free, else the next free one
 *  above it, else (no preference) one the kernel picks. */
export async function freePort(preferred) {
  if (preferred === undefined) return listenOnce(0);
  for (let port = preferred; port < preferred + 100; port++) {
    try {
      return await listenOnce(port);
    } catch {
      // taken: try the next one
    }
  }
  throw new Error(`no free port in ${preferred}–${preferred + 99}`);
}

function listenOnce(port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address();
      server.close(() => resolve(bound));
    });
  });
}

/** A new, short state folder (unix socket paths inside it must stay under ~107 characters). */
export function createStateDirectory(prefix = 'trackside-') {
  const root = process.env.TRACKSIDE_STATE_ROOT ?? (fs.existsSync('/tmp') ? '/tmp' : os.tmpdir());
  return fs.mkdtempSync(path.join(root, prefix));
}

/**
 * Starts code-server on 127.0.0.1 with all state (settings, extensions, logs, sockets) inside `stateDirectory`.
 * @param {object} [options]
 * @param {string} [options.stateDirectory] created if missing; default: a new temp folder
 * @param {number} [options.port] default: a free port
 * @param {Record<string, unknown>} [options.settings] user settings, e.g. { 'workbench.colorTheme': 'Default Dark Modern' }
 * @param {Record<string, string>} [options.env] extra environment for code-server and its extension host
 * @param {boolean} [options.keepState] keep the state folder after stop() (it is kept anyway when start fails)
 * @returns {Promise<{ port: number, authority: string, baseUrl: string, stateDirectory: string,
 *   logFile: string, readyMs: number, process: import('node:child_process').ChildProcess, stop(): Promise<void> }>}
 */
export async function startCodeServer(options = {}) {
  const prerequisite = missingPrerequisite();
  if (prerequisite) throw new Error(prerequisite);
  const stateDirectory = options.stateDirectory ?? createStateDirectory();
  const port = options.port ?? (await freePort());
  const folders = {
    userData: path.join(stateDirectory, 'user-data'),
    extensions: path.join(stateDirectory, 'extensions'),
    config: path.join(stateDirectory, 'xdg-config'),
    data: path.join(stateDirectory, 'xdg-data'),
    cache: path.join(stateDirectory, 'xdg-cache'),
    temp: path.join(stateDirectory, 'tmp'),
  };
  for (const folder of Object.values(folders)) fs.mkdirSync(folder, { recursive: true });
  fs.mkdirSync(path.join(folders.userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(folders.userData, 'User', 'settings.json'),
    JSON.stringify({ ...baseSettings, ...options.settings }, null, 2),
  );
  // An empty config file: code-server then writes nothing to ~/.config/code-server/config.yaml.
  const configFile = path.join(stateDirectory, 'config.yaml');
  fs.writeFileSync(configFile, '');

  const env = {};
  for (const name of inheritedVariables) if (process.env[name] !== undefined) env[name] = process.env[name];
  for (const [name, value] of Object.entries(process.env)) if (name.startsWith('TRACKSIDE_')) env[name] = value;
  Object.assign(env, options.env, {
    XDG_CONFIG_HOME: folders.config,
    XDG_DATA_HOME: folders.data,
    XDG_CACHE_HOME: folders.cache,
    TMPDIR: folders.temp,
    EXTENSIONS_GALLERY: '{}', // no marketplace lookups (there is no network for them)
  });

  const args = [
    '--config', configFile,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--disable-proxy',
    '--ignore-last-opened',
    '--user-data-dir', folders.userData,
    '--extensions-dir', folders.extensions,
  ];
  const logFile = path.join(stateDirectory, 'code-server.log');
  const logDescriptor = fs.openSync(logFile, 'w');
  const started = Date.now();
  // Detached: code-server gets its own process group, so stop() ends it with its extension and pty hosts.
  const child = spawn(codeServerBinary, args, { env, detached: true, stdio: ['ignore', logDescriptor, logDescriptor] });
  fs.closeSync(logDescriptor);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // Whatever happens to the caller (an uncaught error, process.exit), do not leave code-server running.
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);

  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(baseUrl, child, logFile);
  } catch (error) {
    killGroup(child, 'SIGKILL');
    process.removeListener('exit', killOnExit);
    throw error;
  }
  const readyMs = Date.now() - started;

  let stopping;
  async function stop() {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(child, 'SIGTERM');
        const timedOut = await Promise.race([exited.then(() => false), delay(5000).then(() => true)]);
        if (timedOut) killGroup(child, 'SIGKILL');
      }
      // Children of the extension host may outlive code-server itself: end the whole group.
      killGroup(child, 'SIGKILL');
      process.removeListener('exit', killOnExit);
      if (!options.keepState) fs.rmSync(stateDirectory, { recursive: true, force: true });
    })();
    return stopping;
  }
  return { port, authority: `127.0.0.1:${port}`, baseUrl, stateDirectory, logFile, readyMs, process: child, stop };
}

async function waitForHealth(baseUrl, child, logFile) {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`code-server exited early (${child.exitCode ?? child.signalCode}):\n${tail(logFile)}`);
    }
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await delay(100);
  }
  throw new Error(`code-server did not answer ${baseUrl}/healthz within 30 s:\n${tail(logFile)}`);
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Launches Debian's Chromium headless with a fresh profile (removed by context.close()).
 * @param {{ profileDirectory?: string, viewport?: { width: number, height: number }, headless?: boolean }} [options]
 * @returns {Promise<import('playwright-core').BrowserContext>}
 */
export async function launchBrowser(options = {}) {
  const profileDirectory = options.profileDirectory ?? createStateDirectory('trackside-chromium-');
  fs.rmSync(profileDirectory, { recursive: true, force: true });
  const temporaryDirectory = path.join(profileDirectory, 'tmp');
  fs.mkdirSync(temporaryDirectory, { recursive: true });
  const context = await chromium.launchPersistentContext(profileDirectory, {
    executablePath: chromiumBinary,
    headless: options.headless ?? true,
    viewport: options.viewport ?? { width: 1400, height: 900 },
    // Chromium writes crash reports under $XDG_CONFIG_HOME and its singleton socket under $TMPDIR even
    // with a profile folder: keep them inside it.
    env: {
      ...process.env,
      XDG_CONFIG_HOME: path.join(profileDirectory, 'xdg-config'),
      XDG_CACHE_HOME: path.join(profileDirectory, 'xdg-cache'),
      TMPDIR: temporaryDirectory,
    },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  // Remove the profile once Chromium has really exited (its 'close' event comes while it still writes).
  const closeContext = context.close.bind(context);
  context.close = async (...args) => {
    await closeContext(...args);
    fs.rmSync(profileDirectory, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  };
  return context;
}

/**
 * The workbench URL that opens `folder`, loads the extension at `extensionDevelopmentPath` in development
 * mode (like F5) and, with `extensionTestsPath`, runs that test module's `run()` in the extension host.
 * @param {{ authority: string, baseUrl: string }} server
 * @param {{ folder?: string, extensionDevelopmentPath?: string, extensionTestsPath?: string }} [target]
 */
export function workbenchUrl(server, target = {}) {
  const payload = [];
  if (target.extensionDevelopmentPath) {
    payload.push(['extensionDevelopmentPath', `vscode-remote://${server.authority}${path.resolve(target.extensionDevelopmentPath)}`]);
  }
  if (target.extensionTestsPath) {
    payload.push(['extensionTestsPath', `vscode-remote://${server.authority}${path.resolve(target.extensionTestsPath)}`]);
  }
  const query = new URLSearchParams();
  if (target.folder) query.set('folder', path.resolve(target.folder));
  if (payload.length > 0) query.set('payload', JSON.stringify(payload));
  return `${server.baseUrl}/?${query}`;
}

/** Waits until the workbench's activity bar and status bar are on screen. */
export async function waitForWorkbench(page, timeout = 60000) {
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout });
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout });
}

/**
 * Starts code-server and Chromium and opens the workbench with Trackside in development mode.
 * @param {{ folder?: string, extensionDevelopmentPath?: string, settings?: Record<string, unknown>,
 *   env?: Record<string, string>, viewport?: { width: number, height: number } }} [options]
 *   folder: default a new empty temp folder (removed by close()).
 * @returns {Promise<{ server: Awaited<ReturnType<typeof startCodeServer>>, context: import('playwright-core').BrowserContext,
 *   page: import('playwright-core').Page, folder: string, url: string, consoleErrors: string[], close(): Promise<void> }>}
 */
export async function openWorkbench(options = {}) {
  const ownFolder = options.folder === undefined;
  const folder = options.folder ?? createStateDirectory('trackside-ws-');
  fs.mkdirSync(folder, { recursive: true });
  const server = await startCodeServer({ settings: options.settings, env: options.env });
  let context;
  try {
    context = await launchBrowser({ viewport: options.viewport });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30000);
    const consoleErrors = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    const url = workbenchUrl(server, {
      folder,
      extensionDevelopmentPath: options.extensionDevelopmentPath ?? projectRoot,
    });
    await page.goto(url);
    await waitForWorkbench(page);
    const close = async () => {
      await context.close().catch(() => {});
      await server.stop();
      if (ownFolder) fs.rmSync(folder, { recursive: true, force: true });
    };
    return { server, context, page, folder, url, consoleErrors, close };
  } catch (error) {
    await context?.close().catch(() => {});
    await server.stop();
    throw error;
  }
}

/** The content frame of the webview that is on screen (hidden panels keep their invisible iframes). */
export function visibleWebview(page) {
  return page
    .locator('iframe.webview.ready')
    .filter({ visible: true })
    .contentFrame()
    .locator('#active-frame')
    .contentFrame();
}

/** Clicks the activity-bar item whose label starts with `title` (a viewsContainers title) and waits
 *  for the side bar to show it. */
export async function openActivityBarView(page, title) {
  const item = page.locator(`.part.activitybar .action-item a[aria-label^="${title}"]`);
  await item.click();
  await page.locator('.part.sidebar .composite.title', { hasText: title }).waitFor();
}

/** The rows of the tree and list views in the side bar (filter with `.filter({ hasText })`). */
export function treeRows(page) {
  return page.locator('.part.sidebar .pane-body .monaco-list-row');
}

/** Runs a command by its palette label (e.g. 'Trackside: Open Run Charts') through F1. */
export async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  // The label must equal `title`: 'Trackside: Open Run' must not pick 'Trackside: Open Run Charts'.
  const exactLabel = page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) });
  const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: exactLabel }).first();
  await row.waitFor();
  await row.click();
  await input.waitFor({ state: 'hidden' });
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Saves a PNG of the page to test-results/screenshots/<name>.png and returns its path. */
export async function screenshot(page, name) {
  fs.mkdirSync(screenshotDirectory, { recursive: true });
  const file = path.join(screenshotDirectory, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
