// The module VS Code's extension host loads as `extensionTestsPath` (see test/harness/runIntegration.mjs):
// it runs every compiled test/integration/**/*.test.ts with mocha inside the real extension host.
// Env: TRACKSIDE_IT_GREP runs only the tests whose full title matches.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/** Called by the extension host; resolves when every test passed, rejects otherwise. */
export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60000, reporter: 'spec' });
  const grep = process.env.TRACKSIDE_IT_GREP;
  if (grep) mocha.grep(grep);
  for (const file of testFiles(__dirname)) mocha.addFile(file);
  await mocha.loadFilesAsync();
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} integration test${failures === 1 ? '' : 's'} failed`);
}

function testFiles(root: string): string[] {
  return fs
    .readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.js'))
    .sort()
    .map((file) => path.join(root, file));
}
