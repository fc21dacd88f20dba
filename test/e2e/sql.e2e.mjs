// "Trackside: Query Store with SQL…" in real VS Code (code-server + Chromium): the query editor with
// its views listed and a "Run Query" lens, the results table of the example query, a query past the
// row cap (virtual scrolling, the "truncated" note), a refused write shown in the panel, and the panel
// restored after a window reload.
// Run: node --test test/e2e/sql.e2e.mjs   (screenshots: test-results/screenshots/sql-*.png)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createStateDirectory, openActivityBarView, openWorkbench, runCommand, screenshot, treeRows, visibleWebview } from '../harness/codeServer.mjs';
import { createDemoStore } from './webviewsDemoStore.mjs';

/** Replaces the text of the focused editor with `text` (typed: no quotes or brackets, which the editor would close itself) and runs it with Ctrl+Enter. */
async function typeQuery(page, text) {
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(text);
  await page.keyboard.press('Escape');
  await page.locator('.editor-group-container.active .monaco-editor .view-line', { hasText: text }).first().waitFor();
  await page.keyboard.press('ControlOrMeta+Enter');
}

describe('SQL over the store', { timeout: 170000 }, () => {
  let session;
  let folder;
  const cspErrors = () => session.consoleErrors.filter((text) => /Content Security Policy|Refused to/i.test(text));

  before(async () => {
    folder = createStateDirectory('trackside-sql-');
    await createDemoStore(folder);
    session = await openWorkbench({ folder, settings: { 'workbench.colorTheme': 'Default Dark Modern', 'workbench.editor.enablePreview': false } });
  });
  after(async () => {
    await session?.close();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  it('opens a query editor listing the views, and runs its example query into a results table', async () => {
    const { page } = session;
    await openActivityBarView(page, 'Trackside');
    await treeRows(page).filter({ hasText: 'demo-classifier' }).first().waitFor({ timeout: 30000 });
    await runCommand(page, 'Trackside: Query Store with SQL…');
    await page.locator('.monaco-editor .view-line', { hasText: 'FROM system.ml.runs r' }).first().waitFor();
    const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Run Query' }).first();
    await lens.waitFor();
    await screenshot(page, 'sql-1-editor');
    await lens.click();
    const results = visibleWebview(page);
    await results.locator('.result-row').first().waitFor({ timeout: 30000 });
    const headers = await results.locator('.result-header .cell').allTextContents();
    assert.deepEqual(headers, ['#', 'run_name', 'status', 'experiment', 'loss', 'loss_points']);
    await results.locator('.status', { hasText: /^14 rows · 5 columns · [\d,]+ ms$/ }).waitFor();
    assert.equal(await results.locator('.result-row').count(), 14, 'twelve runs and two nested runs');
    assert.equal(await results.locator('.truncated-note').isHidden(), true);
    await page.mouse.move(5, 5);
    await screenshot(page, 'sql-2-results');
  });

  it('caps a large result, notes it, and scrolls it virtually', async () => {
    const { page } = session;
    await typeQuery(page, 'SELECT * FROM system.ml.metrics, system.ml.experiments');
    const results = visibleWebview(page);
    await results.locator('.truncated-note', { hasText: 'Truncated at 10,000 rows' }).waitFor({ timeout: 30000 });
    await results.locator('.status', { hasText: /^10,000 rows · 11 columns/ }).waitFor();
    const drawn = await results.locator('.result-row').count();
    assert.ok(drawn > 10 && drawn < 200, `only the rows on screen are in the page (${drawn})`);
    const grid = results.locator('.result-grid');
    await grid.hover();
    await page.mouse.wheel(0, 24 * 5000);
    await results.locator('.result-row .row-number', { hasText: /^\d{4}$/ }).first().waitFor();
    const numbers = (await results.locator('.result-row .row-number').allTextContents()).map(Number);
    assert.ok(Math.min(...numbers) > 1000, `scrolled far down, rows ${Math.min(...numbers)}–${Math.max(...numbers)} drawn`);
    await page.mouse.move(5, 5);
    await screenshot(page, 'sql-3-truncated-scrolled');
  });

  it('refuses a write and shows the reason in the panel', async () => {
    const { page } = session;
    await typeQuery(page, 'DELETE FROM system.ml.runs');
    const results = visibleWebview(page);
    const banner = results.locator('.error-banner[role="alert"]');
    await banner.waitFor({ timeout: 30000 });
    assert.match(await banner.textContent(), /^Query failed: Only read-only queries can run here .*DELETE is refused\.$/);
    assert.equal(await results.locator('.result-grid').isHidden(), true);
    await page.mouse.move(5, 5);
    await screenshot(page, 'sql-4-write-refused');
  });

  it('restores the results panel after a window reload, running its last query again', async () => {
    const { page } = session;
    await typeQuery(page, 'SELECT name, lifecycle_stage FROM system.ml.experiments ORDER BY name');
    await visibleWebview(page).locator('.status', { hasText: /^2 rows · 2 columns/ }).waitFor({ timeout: 30000 });
    await runCommand(page, 'Developer: Reload Window');
    const tab = page.locator('.tabs-container .tab', { hasText: 'SQL: Untitled-1' }).first();
    await tab.waitFor({ timeout: 60000 });
    await tab.click();
    const results = visibleWebview(page);
    await results.locator('.status', { hasText: /^2 rows · 2 columns/ }).waitFor({ timeout: 30000 });
    assert.deepEqual(await results.locator('.result-row .cell:nth-child(2)').allTextContents(), ['Default', 'demo-classifier']);
    await page.mouse.move(5, 5);
    await screenshot(page, 'sql-5-restored-after-reload');
    assert.deepEqual(cspErrors(), [], 'no CSP violations');
  });
});
