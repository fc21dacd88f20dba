// Pipelines as a person meets them, in real VS Code (code-server + Chromium), dark theme: the demo ETL
// pipeline opened in the editor shows CodeLenses and a "Run Pipeline with Trackside" button; the button
// opens the pipeline panel and runs every cell; a parameter changed in the form (validated as typed)
// runs again; the resulting run opens; a failing cell shows its traceback at the script's line and
// the link goes there; a long cell is stopped (KILLED); the panel comes back after a window reload.
// Run: node --test test/e2e/pipelines.e2e.mjs   (screenshots: test-results/screenshots/pipelines-*.png)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createStateDirectory, openWorkbench, projectRoot, runCommand, screenshot, visibleWebview } from '../harness/codeServer.mjs';

const demo = path.join(projectRoot, 'test', 'fixtures', 'demo-workspace');

function editorTab(page, label) {
  return page.locator('.tabs-container .tab', { hasText: label }).first();
}

/** Opens a workspace file in the editor through Quick Open. */
async function openFile(page, name) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await input.press('Enter');
  await editorTab(page, name).waitFor();
}

/** The pipeline panel's cell card. */
function cell(panel, index) {
  return panel.locator(`article.cell[data-cell="${index}"]`);
}

/** Waits until every listed cell shows `status`. */
async function waitForCells(panel, cells, status, timeout = 60000) {
  for (const index of cells) await cell(panel, index).and(panel.locator(`[data-status="${status}"]`)).waitFor({ timeout });
}

describe('pipelines', { timeout: 240000 }, () => {
  let session;
  let folder;
  const cspErrors = () => session.consoleErrors.filter((text) => /Content Security Policy|Refused to/i.test(text));

  before(async () => {
    folder = createStateDirectory('trackside-pipelines-');
    fs.cpSync(path.join(demo, 'pipelines'), path.join(folder, 'pipelines'), { recursive: true });
    fs.cpSync(path.join(demo, 'data'), path.join(folder, 'data'), { recursive: true });
    session = await openWorkbench({
      folder,
      settings: { 'workbench.colorTheme': 'Default Dark Modern', 'workbench.editor.enablePreview': false, 'editor.minimap.enabled': false },
    });
  });
  after(async () => {
    await session?.close();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  it('shows CodeLenses and the editor button on a percent-format script', async () => {
    const { page } = session;
    await openFile(page, 'etl_quality.py');
    const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Run Pipeline with Trackside' });
    await lens.first().waitFor({ timeout: 30000 });
    assert.ok((await page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Run to Here' }).count()) >= 3);
    await page.locator('.editor-group-container.active .editor-actions a.action-label[aria-label^="Run Pipeline with Trackside"]').waitFor();
    await page.mouse.move(5, 5);
    await screenshot(page, 'pipelines-dark-1-editor-codelens');
  });

  it('runs every cell from the editor button: each cell completes with its duration and output', async () => {
    const { page } = session;
    await page.locator('.editor-group-container.active .editor-actions a.action-label[aria-label^="Run Pipeline with Trackside"]').click();
    await editorTab(page, 'Pipeline: etl_quality.py').waitFor({ timeout: 30000 });
    const panel = visibleWebview(page);
    await panel.locator('.run-summary[data-phase="FINISHED"]').waitFor({ timeout: 60000 });
    await waitForCells(panel, [1, 2, 3, 4, 5, 6], 'ok');
    assert.match(await panel.locator('.run-summary').textContent(), /^Finished · 6 cells in /);
    assert.match(await cell(panel, 5).locator('.output-text').textContent(), /input 3,000 → output 2,645 records; duplicate ratio 8\.00%/);
    assert.match(await cell(panel, 2).locator('.cell-duration').textContent(), /\d+(\.\d)? (ms|s)$/);
    await panel.locator('.history-row').first().waitFor();
    await page.mouse.move(5, 5);
    await screenshot(page, 'pipelines-dark-2-run-all-finished');
  });

  it('checks a parameter as it is typed, then runs with a changed value', async () => {
    const { page } = session;
    const panel = visibleWebview(page);
    const minAmount = panel.locator('#parameter-min_amount input');
    await minAmount.fill('five');
    await panel.locator('#parameter-min_amount-error', { hasText: "Parameter 'min_amount' expects a float" }).waitFor();
    await screenshot(page, 'pipelines-dark-3-parameter-error');
    await minAmount.fill('5');
    await panel.locator('#parameter-min_amount-error', { hasText: 'expects' }).waitFor({ state: 'hidden' });
    assert.match(await panel.locator('.changed-count').textContent(), /^1 changed/);
    await panel.locator('vscode-button.run-all').click();
    await panel.locator('.run-summary[data-phase="FINISHED"]').waitFor({ timeout: 60000 });
    await cell(panel, -1).and(panel.locator('[data-status="ok"]')).waitFor();
    assert.equal(await cell(panel, -1).locator('.injected-code').textContent(), 'min_amount = 5.0');
    await waitForCells(panel, [1, 2, 3, 4, 5, 6], 'ok');
    assert.match(await cell(panel, 5).locator('.output-text').textContent(), /output 2,626 records/);
    await panel.locator('.history-row').nth(1).waitFor({ timeout: 20000 });
    assert.match(await panel.locator('.history-detail .params').first().textContent(), /min_amount=5\.0/);
    await page.mouse.move(5, 5);
    await screenshot(page, 'pipelines-dark-4-changed-parameter-finished');
    await panel.locator('.history').scrollIntoViewIfNeeded();
    await screenshot(page, 'pipelines-dark-4b-history');
    await panel.locator('.pipeline-body').evaluate((element) => element.scrollTo(0, 0));
  });

  it('opens the resulting run', async () => {
    const { page } = session;
    const panel = visibleWebview(page);
    const runName = (await panel.locator('.run-name').textContent()).split(' · ')[0];
    await panel.locator('vscode-button.open-run').click();
    await editorTab(page, `Run: ${runName}`).waitFor({ timeout: 30000 });
    const details = visibleWebview(page);
    await details.locator('h1', { hasText: runName }).waitFor({ timeout: 30000 });
    const params = details.locator('table.kv', { has: details.locator('caption', { hasText: 'Parameters' }) });
    await params.locator('tr', { hasText: 'min_amount' }).waitFor();
    assert.match(await params.locator('tr', { hasText: 'min_amount' }).textContent(), /5\.0/);
    await page.mouse.move(5, 5);
    await screenshot(page, 'pipelines-dark-5-resulting-run');
  });

  it('shows a failing cell’s traceback at the right line, and the link goes to it', async () => {
    const { page } = session;
    await editorTab(page, 'Pipeline: etl_quality.py').click();
    const panel = visibleWebview(page);
    const dedupe = panel.locator('#parameter-dedupe_on input');
    await dedupe.waitFor({ timeout: 30000 });
    await dedupe.fill('order_key');
    await panel.locator('vscode-button.run-all').click();
    await panel.locator('.run-summary[data-phase="FAILED"]').waitFor({ timeout: 60000 });
    assert.match(await panel.locator('.run-summary').textContent(), /^Failed in cell 3 after /);
    const failing = cell(panel, 3);
    assert.equal(await failing.getAttribute('data-status'), 'error');
    const script = fs.readFileSync(path.join(folder, 'pipelines', 'etl_quality.py'), 'utf8').split('\n');
    const line = script.findIndex((text) => text.includes('raise KeyError(')) + 1;
    assert.match(await failing.locator('.error-summary').textContent(), new RegExp(`^KeyError: "column 'order_key' is not in raw_orders\\.csv; .* \\(line ${line}\\)$`));
    assert.match(await failing.locator('.traceback').textContent(), new RegExp(`etl_quality\\.py", line ${line}`));
    assert.equal(await failing.locator('.line.error-line .line-number').textContent(), String(line));
    for (const index of [4, 5, 6]) assert.equal(await cell(panel, index).getAttribute('data-status'), 'skipped');
    await failing.locator('.error-summary').scrollIntoViewIfNeeded();
    await page.mouse.move(5, 5);
    await screenshot(page, 'pipelines-dark-6-failing-cell-traceback');
    await failing.locator('.error-line-link').click();
    await page.locator('.statusbar-item', { hasText: `Ln ${line}, Col 1` }).waitFor({ timeout: 20000 });
    await screenshot(page, 'pipelines-dark-7-error-line-in-editor');
  });

  it('stops a long cell: the run ends KILLED', async () => {
    const { page } = session;
    await openFile(page, 'train.py');
    await runCommand(page, 'Trackside: Open Pipeline');
    await editorTab(page, 'Pipeline: train.py').waitFor({ timeout: 30000 });
    const panel = visibleWebview(page);
    const epochs = panel.locator('#parameter-epochs input');
    await epochs.waitFor({ timeout: 30000 });
    await epochs.fill('100000');
    await panel.locator('vscode-button.run-all').click();
    await cell(panel, 3).and(panel.locator('[data-status="running"]')).waitFor({ timeout: 60000 });
    await page.waitForTimeout(1200);
    assert.match(await panel.locator('.run-summary').textContent(), /^Running cell 3 · 2 of 5 done · /);
    await cell(panel, 3).scrollIntoViewIfNeeded();
    await page.mouse.move(5, 5);
    await screenshot(page, 'pipelines-dark-8-running');
    await panel.locator('vscode-button.stop').click();
    await panel.locator('.run-summary[data-phase="KILLED"]').waitFor({ timeout: 30000 });
    assert.equal(await cell(panel, 3).getAttribute('data-status'), 'interrupted');
    assert.match(await cell(panel, 3).locator('.error-summary').textContent(), /^KeyboardInterrupt/);
    await panel.locator('.history-row .status-cell', { hasText: 'killed' }).first().waitFor({ timeout: 20000 });
    await page.mouse.move(5, 5);
    await screenshot(page, 'pipelines-dark-9-stopped');
  });

  it('re-themes in a light theme', async () => {
    const { page } = session;
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.fill('>Preferences: Color Theme');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Preferences: Color Theme' }).first().click();
    await page.locator('.quick-input-widget input[placeholder^="Select Color Theme"]').fill('Default Light Modern');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Default Light Modern' }).first().click();
    await page.locator('.monaco-workbench.vs').waitFor();
    await editorTab(page, 'Pipeline: etl_quality.py').click();
    const panel = visibleWebview(page);
    await panel.locator('.run-summary[data-phase="FAILED"]').waitFor({ timeout: 30000 });
    await cell(panel, 3).locator('.error-summary').scrollIntoViewIfNeeded();
    await page.mouse.move(5, 5);
    await page.waitForTimeout(500);
    await screenshot(page, 'pipelines-light-11-failing-cell');
    assert.match(await panel.locator('body').getAttribute('class'), /vscode-light/);
  });

  it('comes back after a window reload', async () => {
    const { page } = session;
    await runCommand(page, 'Developer: Reload Window');
    await editorTab(page, 'Pipeline: etl_quality.py').waitFor({ timeout: 60000 });
    await editorTab(page, 'Pipeline: etl_quality.py').click();
    const panel = visibleWebview(page);
    await cell(panel, 6).waitFor({ timeout: 30000 });
    await panel.locator('.history-row').nth(2).waitFor({ timeout: 30000 });
    assert.equal(await panel.locator('#parameter-dedupe_on input').inputValue(), 'order_key', 'the form keeps what was typed');
    await page.mouse.move(5, 5);
    await screenshot(page, 'pipelines-light-12-restored-after-reload');
    assert.deepEqual(cspErrors(), [], 'no CSP violations');
  });
});
