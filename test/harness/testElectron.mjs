// Runs the integration tests in desktop VS Code (Electron) with @vscode/test-electron, for machines that
// can download VS Code from update.code.visualstudio.com (a developer laptop, hosted CI).
// NOT used on the project's own CI machines: they reach only the npm registry and Debian's mirrors, where
// the download fails with ENOTFOUND; there runIntegration.mjs runs the same tests in code-server instead.
// Covers what code-server cannot: the local (non-remote) Electron extension host, uiKind Desktop.
//
// Usage: npm run build && npx tsc -p tsconfig.test.json && node test/harness/testElectron.mjs [--folder <dir>]
// Env:   TRACKSIDE_VSCODE_VERSION  VS Code to download (default 1.100.3, matching code-server 4.100.3)
//        TRACKSIDE_*               passed to the extension host
//        On a headless Linux machine run it under xvfb-run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runTests } from '@vscode/test-electron';
import { projectRoot } from './codeServer.mjs';

const { values: options } = parseArgs({ options: { folder: { type: 'string' } } });
const folder = options.folder ?? fs.mkdtempSync(path.join(os.tmpdir(), 'trackside-ws-'));
const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'trackside-vscode-'));
const extensionTestsEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name.startsWith('TRACKSIDE_')),
);

let code = 0;
try {
  code = await runTests({
    version: process.env.TRACKSIDE_VSCODE_VERSION ?? '1.100.3',
    extensionDevelopmentPath: projectRoot,
    extensionTestsPath: path.join(projectRoot, 'out', 'test', 'integration', 'index.js'),
    extensionTestsEnv,
    launchArgs: [
      folder,
      '--disable-extensions', // other installed extensions stay off; the one under development loads
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      '--user-data-dir', userData,
    ],
  });
} catch (error) {
  console.error('[testElectron] failed:', error);
  code = 1;
} finally {
  fs.rmSync(userData, { recursive: true, force: true });
  if (!options.folder) fs.rmSync(folder, { recursive: true, force: true });
}
process.exit(code);
