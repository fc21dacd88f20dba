// The folder `npm start` opens in VS Code. Extend prepareDemoWorkspace() to add demo data (a store with
// experiments and runs, pipeline scripts, …); keep it idempotent: it runs on every `npm start`.
import fs from 'node:fs';
import path from 'node:path';

const readme = `# Trackside demo workspace

This is the Trackside demo workspace, opened by \`npm start\` in the Trackside repository.
It is generated (see \`test/harness/demoWorkspace.mjs\`) and ignored by git; delete it to start afresh.
`;

/**
 * Creates (or completes) the demo workspace in `folder`; never overwrites files a person edited.
 * @param {string} folder
 * @returns {Promise<void>}
 */
export async function prepareDemoWorkspace(folder) {
  fs.mkdirSync(folder, { recursive: true });
  const readmeFile = path.join(folder, 'README.md');
  if (!fs.existsSync(readmeFile)) fs.writeFileSync(readmeFile, readme);
}
