// Trackside's webviews in real VS Code (code-server + Chromium): the runs table of a demo
// experiment (sort, filter with an inline error, select three runs), metric charts with smoothing
// and zoom, compare, run details with a CSV artifact preview, a model version — in a dark theme,
// then all of them again in a light theme, and the panels restored after a window reload.
// Run: node --test test/e2e/webviews.e2e.mjs   (screenshots: test-results/screenshots/webviews-*.png)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createStateDirectory, openActivityBarView, openWorkbench, runCommand, screenshot, treeRows, visibleWebview } from '../harness/codeServer.mjs';
import { createDemoStore } from './webviewsDemoStore.mjs';

/** The editor tab whose label starts with `label`. */
function editorTab(page, label) {
  return page.locator('.tabs-container .tab', { hasText: label }).first();
}

/** Runs a palette command that opens a quick pick of its own (runCommand waits for the palette to close, which it then never does). */
async function paletteCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.fill(`>${title}`);
  const exact = page.locator('.label-name', { hasText: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) });
  await page.locator('.quick-input-list .monaco-list-row').filter({ has: exact }).first().click();
}

/** Clicks an item of the open quick pick by its label. */
async function pick(page, label) {
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor();
  await row.click();
}

describe('webviews', { timeout: 170000 }, () => {
  let session;
  let folder;
  let demo;
  const cspErrors = () => session.consoleErrors.filter((text) => /Content Security Policy|Refused to/i.test(text));

  before(async () => {
    folder = createStateDirectory('trackside-webviews-');
    demo = await createDemoStore(folder);
    session = await openWorkbench({ folder, settings: { 'workbench.colorTheme': 'Default Dark Modern', 'workbench.editor.enablePreview': false } });
  });
  after(async () => {
    await session?.close();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  it('opens the runs table of the demo experiment, sorts and filters it (with an inline filter error)', async () => {
    const { page } = session;
    await openActivityBarView(page, 'Trackside');
    await treeRows(page).filter({ hasText: 'demo-classifier' }).first().waitFor({ timeout: 30000 });
    await paletteCommand(page, 'Trackside: Open Runs Table');
    await page.locator('.quick-input-widget input[placeholder="Experiment"]').waitFor();
    await pick(page, 'demo-classifier');
    const table = visibleWebview(page);
    await table.locator('.grid .row').first().waitFor({ timeout: 30000 });
    assert.equal(await table.locator('.grid .row').count(), 14, '12 runs and 2 nested runs');
    await screenshot(page, 'webviews-dark-1-runs-table');

    const lossHeader = table.locator('.grid-header .head').filter({ has: table.locator('.label', { hasText: /^loss$/ }) });
    await lossHeader.click();
    assert.equal(await lossHeader.getAttribute('aria-sort'), 'ascending');

    const filter = table.locator('vscode-text-field.filter input');
    await filter.fill('metrics.loss <');
    await table.locator('#filter-error', { hasText: /Invalid clause/ }).waitFor();
    await screenshot(page, 'webviews-dark-2-filter-error');
    await filter.fill("params.model = 'cnn' OR params.model = 'resnet'");
    await filter.press('Enter');
    await table.locator('footer .status', { hasText: /^8 runs/ }).waitFor();
    assert.equal(await table.locator('#filter-error').textContent(), '');
    const names = await table.locator('.grid .row .cell:nth-child(2)').allTextContents();
    assert.ok(names.every((n) => /^(cnn|resnet)-/.test(n)), names.join(', '));

    // Keyboard: the grid is one tab stop; arrows move the active cell, Space selects its run.
    const grid = table.locator('.grid[role="grid"]');
    await grid.focus();
    await grid.press('ArrowDown');
    assert.equal(await grid.getAttribute('aria-activedescendant'), 'runs-grid-active-cell');
    await grid.press(' ');
    await table.locator('footer .status', { hasText: '1 selected' }).waitFor();
    await grid.press('Escape');
    await table.locator('footer .status', { hasText: /^(?!.*selected)/ }).waitFor();
    for (const index of [0, 1, 2]) await table.locator('.grid .row input[type="checkbox"]').nth(index).click();
    await table.locator('footer .status', { hasText: '3 selected' }).waitFor();
    await screenshot(page, 'webviews-dark-3-runs-sorted-filtered-selected');
  });

  it('charts the three runs with smoothing and a zoom that fetches finer buckets', async () => {
    const { page } = session;
    await visibleWebview(page).locator('vscode-button', { hasText: 'Chart' }).click();
    await editorTab(page, 'Charts: 3 runs').waitFor();
    const charts = visibleWebview(page);
    await charts.locator('.chart-card canvas').first().waitFor({ timeout: 30000 });
    await charts.locator('footer .status', { hasText: /buckets drawn/ }).waitFor();
    await charts.locator('input.smoothing').fill('0.8');
    await charts.locator('.smoothing-value', { hasText: '0.80' }).waitFor();
    const card = charts.locator('.chart-card', { has: charts.locator('h2', { hasText: /^loss$/ }) });
    const body = card.locator('.chart-body');
    const box = await body.boundingBox();
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.62, box.y + box.height * 0.5, { steps: 6 });
    await page.mouse.up();
    await card.locator('canvas[aria-label*="zoomed to"]').waitFor();
    await page.mouse.move(5, 5);
    await page.waitForTimeout(600);
    await screenshot(page, 'webviews-dark-4-charts-smoothed-zoomed');
  });

  it('compares the selected runs (the runs table keeps filter and selection when shown again)', async () => {
    const { page } = session;
    await editorTab(page, 'Runs: demo-classifier').click();
    const table = visibleWebview(page);
    await table.locator('footer .status', { hasText: /^8 runs.* 3 selected · filter: params\.model = 'cnn' OR/ }).waitFor({ timeout: 20000 });
    assert.equal(await table.locator('.grid .row.selected').count(), 3);
    await table.locator('vscode-button', { hasText: 'Compare' }).click();
    await editorTab(page, 'Compare: 3 runs').waitFor();
    const compare = visibleWebview(page);
    await compare.locator('table.diff tr.differs').first().waitFor({ timeout: 20000 });
    assert.ok((await compare.locator('table.diff tr.differs').count()) >= 2);
    await page.waitForTimeout(300);
    await screenshot(page, 'webviews-dark-5-compare');
    await compare.locator('vscode-checkbox', { hasText: 'Only differences' }).click();
    await compare.locator('#diff-title').scrollIntoViewIfNeeded();
    assert.equal(await compare.locator('table.diff tbody tr.same').count(), 0, 'only rows that differ');
    await screenshot(page, 'webviews-dark-5b-compare-differences');
  });

  it('opens run details from the Experiments view and previews a CSV artifact', async () => {
    const { page } = session;
    await treeRows(page).filter({ hasText: 'demo-classifier' }).first().click();
    await treeRows(page).filter({ hasText: 'cnn-lr0.001-0' }).first().click();
    await editorTab(page, 'Run: cnn-lr0.001-0').waitFor({ timeout: 20000 });
    const details = visibleWebview(page);
    await details.locator('h1', { hasText: 'cnn-lr0.001-0' }).waitFor({ timeout: 20000 });
    await details.locator('vscode-panel-tab#tab-artifacts').click();
    await details.locator('[role="treeitem"]', { hasText: 'predictions.csv' }).click();
    await details.locator('.table-preview table tbody tr').first().waitFor();
    assert.equal(await details.locator('.table-preview table tbody tr').count(), 60);
    assert.deepEqual(await details.locator('.table-preview thead th').allTextContents(), ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species', 'predicted']);
    await screenshot(page, 'webviews-dark-6-run-details-csv');
  });

  it('opens a model version from the Models view', async () => {
    const { page } = session;
    await treeRows(page).filter({ hasText: 'demo-classifier-model' }).first().click();
    await treeRows(page).filter({ hasText: 'Version 1' }).first().click();
    await editorTab(page, 'demo-classifier-model v1').waitFor({ timeout: 20000 });
    const version = visibleWebview(page);
    await version.locator('.flavor h3', { hasText: 'sklearn' }).waitFor({ timeout: 20000 });
    assert.equal(await version.locator('.alias-name').first().textContent(), '@champion');
    await version.locator('table.history tbody tr').first().waitFor();
    await page.mouse.move(5, 5);
    await screenshot(page, 'webviews-dark-7-model-version');
    await version.locator('table.history').scrollIntoViewIfNeeded();
    assert.ok((await version.locator('table.history tbody tr.this-version').count()) >= 3, 'this version’s events are marked');
    await screenshot(page, 'webviews-dark-7b-model-version-history');
    assert.deepEqual(cspErrors(), [], 'no CSP violations');
  });

  it('re-themes every panel in a light theme', async () => {
    const { page } = session;
    await paletteCommand(page, 'Preferences: Color Theme');
    const input = page.locator('.quick-input-widget input[placeholder^="Select Color Theme"]');
    await input.waitFor();
    await input.fill('Default Light Modern');
    await pick(page, 'Default Light Modern');
    await page.locator('.monaco-workbench.vs').waitFor();
    await page.mouse.move(5, 5);
    await page.waitForTimeout(800);
    await screenshot(page, 'webviews-light-7-model-version');
    const shots = [
      ['Run: cnn-lr0.001-0', 'webviews-light-6-run-details-csv', '.table-preview table'],
      ['Compare: 3 runs', 'webviews-light-5-compare', 'table.diff'],
      ['Charts: 3 runs', 'webviews-light-4-charts-smoothed-zoomed', '.chart-card canvas[aria-label*="zoomed to"]'],
      ['Runs: demo-classifier', 'webviews-light-3-runs-table', '.grid .row'],
    ];
    for (const [tab, name, ready] of shots) {
      await editorTab(page, tab).click();
      await visibleWebview(page).locator(ready).first().waitFor({ timeout: 20000 });
      await page.mouse.move(5, 5);
      await page.waitForTimeout(700);
      await screenshot(page, name);
    }
    const table = visibleWebview(page);
    assert.match(await table.locator('body').getAttribute('class'), /vscode-light/);
    await table.locator('vscode-dropdown.group-by').click();
    await table.locator('vscode-option', { hasText: 'param: model' }).click();
    await table.locator('.grid .row.group').nth(1).waitFor();
    assert.deepEqual(await table.locator('.grid .row.group .cell:nth-child(2)').allTextContents(), ['cnn 4 runs', 'resnet 4 runs']);
    await table.locator('.grid').evaluate((grid) => (grid.scrollLeft = grid.scrollWidth));
    await table.locator('.grid .row.group .mean').first().waitFor();
    await page.mouse.move(5, 5);
    await screenshot(page, 'webviews-light-3b-runs-grouped');
  });

  it('restores the panels after a window reload', async () => {
    const { page } = session;
    await runCommand(page, 'Developer: Reload Window');
    await page.locator('.monaco-workbench .part.editor .tabs-container .tab').first().waitFor({ timeout: 60000 });
    for (const tab of ['Runs: demo-classifier', 'Charts: 3 runs', 'Compare: 3 runs', 'Run: cnn-lr0.001-0', 'demo-classifier-model v1']) {
      await editorTab(page, tab).waitFor({ timeout: 30000 });
    }
    await editorTab(page, 'Run: cnn-lr0.001-0').click();
    const details = visibleWebview(page);
    await details.locator('.table-preview table tbody tr').first().waitFor({ timeout: 30000 });
    await screenshot(page, 'webviews-light-8-restored-after-reload');
    assert.deepEqual(cspErrors(), [], 'no CSP violations');
  });
});
