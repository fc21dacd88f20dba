// The workbench opens with Trackside loaded in development mode, and the command palette answers.
// Run: node --test test/e2e/smoke.e2e.mjs   (screenshots: test-results/screenshots/smoke-*.png)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openWorkbench, screenshot } from '../harness/codeServer.mjs';

describe('workbench smoke', { timeout: 180000 }, () => {
  let session;
  before(async () => {
    session = await openWorkbench();
  });
  after(async () => {
    await session?.close();
  });

  it('opens the workbench as an extension development host on the workspace folder', async () => {
    const { page, folder } = session;
    const folderName = folder.split('/').pop();
    await page.locator('.part.sidebar .pane-header', { hasText: folderName.toUpperCase() }).waitFor();
    assert.match(await page.title(), /\[Extension Development Host\]/);
    await screenshot(page, 'smoke-workbench');
  });

  it('opens the command palette filtered to Trackside', async () => {
    const { page } = session;
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill('>Trackside');
    assert.equal(await input.inputValue(), '>Trackside');
    // The filtered list shows Trackside's commands, or a single "No matching commands" row while the
    // extension contributes none.
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await rows.first().waitFor();
    for (const text of await rows.allInnerTexts()) assert.match(text, /Trackside|No matching commands/i);
    await screenshot(page, 'smoke-command-palette');
    await page.keyboard.press('Escape');
    await input.waitFor({ state: 'hidden' });
  });
});
