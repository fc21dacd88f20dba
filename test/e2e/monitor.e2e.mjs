// The model monitor in real VS Code (code-server + Chromium): ten weeks of performance checks of three
// versions of a registered model, opened from the Models view — a chart per metric with a line per
// version, a version highlighted and one hidden, a check that lands while the panel is open, a run
// opened from the list with the keyboard, the empty state, a light theme and a window reload.
// Run: node --test test/e2e/monitor.e2e.mjs   (screenshots: test-results/screenshots/monitor-*.png)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createStateDirectory, openActivityBarView, openWorkbench, runCommand, screenshot, visibleWebview } from '../harness/codeServer.mjs';
import { withStoreServer } from '../harness/seedStore.mjs';

const DAY = 86_400_000;
const WEEKS = 10;

/** A deterministic pseudo-random sequence (screenshots comparable run to run). */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Classification metrics around `accuracy`, as a check of 2,000 labelled rows logs them. */
function checkMetrics(accuracy, noise) {
  const jitter = () => (noise() - 0.5) * 0.02;
  return {
    'perf.accuracy': accuracy,
    'perf.precision': accuracy - 0.04 + jitter(),
    'perf.recall': accuracy - 0.09 + jitter(),
    'perf.f1': accuracy - 0.065 + jitter() / 2,
    'perf.rows': 2000,
    'perf.skipped_rows': Math.round(noise() * 6),
  };
}

/** Logs one performance check the way `trackside monitor performance` does: a run tagged with the version, perf.* at step 0. */
async function logCheck(api, experimentId, version, time, metrics) {
  const { run } = await api('runs/create', {
    experiment_id: experimentId,
    run_name: `performance: churn v${version} on labelled.csv`,
    start_time: time,
    tags: [
      { key: 'trackside.monitor', value: 'performance' },
      { key: 'trackside.model_name', value: 'churn' },
      { key: 'trackside.model_version', value: version },
      { key: 'trackside.model_uri', value: `models:/churn/${version}` },
    ],
  });
  const id = run.info.run_id;
  await api('runs/log-batch', { run_id: id, metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: time + 1500, step: 0 })) });
  await api('runs/update', { run_id: id, status: 'FINISHED', end_time: time + 3000 });
  return id;
}

/** churn v1 (slowly degrading, weekly for ten weeks), v2 (@champion, Production, from week 5), v3 (Staging, the last two weeks); fraud without checks. */
async function seedChecks({ api }) {
  await api('registered-models/create', { name: 'churn' });
  for (const version of [1, 2, 3]) await api('model-versions/create', { name: 'churn', source: `file:///models/churn/${version}` });
  await api('registered-models/alias', { name: 'churn', alias: 'champion', version: '2' });
  await api('model-versions/transition-stage', { name: 'churn', version: '2', stage: 'Production', archive_existing_versions: false });
  await api('model-versions/transition-stage', { name: 'churn', version: '3', stage: 'Staging', archive_existing_versions: false });
  await api('registered-models/create', { name: 'fraud' });
  await api('model-versions/create', { name: 'fraud', source: 'file:///models/fraud/1' });
  const { experiment_id: experimentId } = await api('experiments/create', { name: 'Monitoring' });
  const noise = random(7);
  const today = new Date();
  const start = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 7 * WEEKS + 1, 9, 0).getTime();
  let count = 0;
  for (let week = 0; week < WEEKS; week++) {
    const time = start + week * 7 * DAY;
    await logCheck(api, experimentId, '1', time, checkMetrics(0.912 - 0.009 * week - noise() * 0.006, noise));
    count++;
    if (week >= 4) {
      await logCheck(api, experimentId, '2', time + 2 * 3_600_000, checkMetrics(0.936 - 0.002 * (week - 4) - noise() * 0.004, noise));
      count++;
    }
    if (week >= 8) {
      await logCheck(api, experimentId, '3', time + 4 * 3_600_000, checkMetrics(0.944 + noise() * 0.004, noise));
      count++;
    }
  }
  return { experimentId, count };
}

/** The REST API of the store the extension serves (its port in store.lock, its token beside it). */
function storeApi(folder) {
  const store = path.join(folder, '.trackside');
  const lock = JSON.parse(fs.readFileSync(path.join(store, 'store.lock'), 'utf8'));
  const token = fs.readFileSync(lock.tokenFile ?? path.join(store, 'token'), 'utf8').trim();
  return async (route, body) => {
    const response = await fetch(`http://127.0.0.1:${lock.port}/api/2.0/mlflow/${route}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`${route}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The sidebar row whose label is exactly `label`. */
const sidebarRow = (page, label) =>
  page
    .locator('.part.sidebar .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escape(label)}$`) }) })
    .first();

function editorTab(page, label) {
  return page.locator('.tabs-container .tab', { hasText: label }).first();
}

/** Runs a palette command that opens a quick pick of its own (runCommand waits for the palette to close, which it then never does). */
async function paletteCommand(page, title) {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${escape(title)}$`) }) }).first().click();
}

async function settle(page, ms = 600) {
  await page.mouse.move(5, 5);
  await page.waitForTimeout(ms);
}

describe('model monitor', { timeout: 240_000 }, () => {
  let session;
  let folder;
  let seeded;
  const cspErrors = () => session.consoleErrors.filter((text) => /Content Security Policy|Refused to/i.test(text));

  before(async () => {
    folder = createStateDirectory('trackside-monitor-');
    seeded = await withStoreServer(path.join(folder, '.trackside'), (context) => seedChecks(context));
    session = await openWorkbench({ folder, settings: { 'workbench.colorTheme': 'Default Dark Modern', 'workbench.editor.enablePreview': false } });
  });
  after(async () => {
    await session?.close();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  it('opens from the Models view: a chart per metric, a line per version, every check listed', async () => {
    const { page } = session;
    await openActivityBarView(page, 'Trackside');
    const models = page.locator('.part.sidebar .pane-header', { hasText: 'Models' });
    if ((await models.getAttribute('aria-expanded')) !== 'true') await models.click();
    const model = sidebarRow(page, 'churn');
    await model.waitFor({ timeout: 30_000 });
    await model.click({ button: 'right' });
    const menu = page.locator('.context-view .monaco-menu');
    await menu.waitFor();
    await page.waitForTimeout(300); // the menu fades in
    await menu.locator('.action-item', { has: page.locator('.action-label', { hasText: /^Open Model Monitor$/ }) }).first().click();
    await editorTab(page, 'Monitor: churn').waitFor({ timeout: 20_000 });
    const monitor = visibleWebview(page);
    await monitor.locator('.chart-card canvas').nth(3).waitFor({ timeout: 30_000 });
    assert.deepEqual(await monitor.locator('.chart-card h2').allTextContents(), ['Accuracy', 'Precision', 'Recall', 'F1']);
    assert.deepEqual(await monitor.locator('.legend-item').allInnerTexts().then((texts) => texts.map((t) => t.replace(/\s+/g, ' ').trim())), [
      'v1 10 checks',
      'v2 @champion Production 6 checks',
      'v3 Staging 2 checks',
    ]);
    assert.equal(await monitor.locator('.checks-table tbody tr').count(), seeded.count);
    assert.match(await monitor.locator('.summary').textContent(), new RegExp(`^${seeded.count} checks of 3 versions · last `));
    assert.match(await monitor.locator('.chart-card canvas').first().getAttribute('aria-label'), /^Accuracy over time\. version 1: 10 checks, latest 0\.8\d+; version 2: 6 checks, latest 0\.9\d+; version 3: 2 checks, latest 0\.94\d*\.$/);
    await settle(page);
    await screenshot(page, 'monitor-1-dark-all-versions');

    // The tooltip of a point names the version, value and time.
    const body = monitor.locator('.chart-card .chart-body').first();
    const box = await body.boundingBox();
    await page.mouse.move(box.x + box.width - 40, box.y + box.height * 0.3);
    await page.waitForTimeout(400);
    await screenshot(page, 'monitor-1b-dark-tooltip');
  });

  it('highlights a version and hides another (kept in the view state)', async () => {
    const { page } = session;
    const monitor = visibleWebview(page);
    await monitor.locator('select#highlight').selectOption('2');
    await monitor.locator('.legend-item.highlighted', { hasText: 'v2' }).waitFor();
    assert.equal(await monitor.locator('.checks-table tbody tr.this-version').count(), 6);
    await monitor.locator('.legend-item', { hasText: 'v1' }).click();
    assert.equal(await monitor.locator('.legend-item', { hasText: 'v1' }).getAttribute('aria-pressed'), 'false');
    assert.match(await monitor.locator('.chart-card canvas').first().getAttribute('aria-label'), /^Accuracy over time\. version 2: 6 checks/);
    await settle(page);
    await screenshot(page, 'monitor-2-dark-highlight-v2-hide-v1');
    await monitor.locator('.legend-item', { hasText: 'v1' }).click();
    assert.equal(await monitor.locator('.legend-item', { hasText: 'v1' }).getAttribute('aria-pressed'), 'true');
  });

  it('draws a check that lands while the panel is open', async () => {
    const { page } = session;
    const api = storeApi(folder);
    await logCheck(api, seeded.experimentId, '3', Date.now(), checkMetrics(0.951, random(11)));
    const monitor = visibleWebview(page);
    await monitor.locator('.checks-table tbody tr').nth(seeded.count).waitFor({ timeout: 20_000 });
    assert.match(await monitor.locator('.summary').textContent(), new RegExp(`^${seeded.count + 1} checks of 3 versions`));
    assert.match(await monitor.locator('.legend-item', { hasText: 'v3' }).innerText(), /3 checks$/);
    await settle(page);
    await screenshot(page, 'monitor-3-dark-live-check');
  });

  it('opens the newest check’s run from the list with the keyboard', async () => {
    const { page } = session;
    const monitor = visibleWebview(page);
    const open = monitor.locator('.checks-table tbody tr').first().locator('button', { hasText: 'Open Run' });
    await open.focus();
    await open.press('Enter');
    await editorTab(page, 'Run: performance: churn v3').waitFor({ timeout: 20_000 });
    await editorTab(page, 'Monitor: churn').click();
    await visibleWebview(page).locator('.chart-card canvas').first().waitFor({ timeout: 20_000 });
  });

  it('shows what to do for a model without checks', async () => {
    const { page } = session;
    await paletteCommand(page, 'Trackside: Open Model Monitor');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'fraud' }).first().click();
    await editorTab(page, 'Monitor: fraud').waitFor({ timeout: 20_000 });
    const monitor = visibleWebview(page);
    await monitor.locator('.empty h2', { hasText: 'No performance checks of fraud yet' }).waitFor({ timeout: 20_000 });
    assert.equal(await monitor.locator('.chart-card').count(), 0);
    assert.equal(await monitor.locator('.highlight-box').isHidden(), true, 'nothing to highlight');
    await settle(page, 300);
    await screenshot(page, 'monitor-4-dark-empty');
  });

  it('re-themes in a light theme', async () => {
    const { page } = session;
    await editorTab(page, 'Monitor: churn').click();
    // The panel's webview comes back when its tab is shown; F1 pressed before it has settled is lost.
    await visibleWebview(page).locator('.chart-card canvas').first().waitFor({ timeout: 20_000 });
    await paletteCommand(page, 'Preferences: Color Theme');
    const picker = page.locator('.quick-input-widget input[placeholder^="Select Color Theme"]');
    await picker.waitFor();
    await picker.fill('Default Light Modern');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Default Light Modern' }).first().click();
    await page.locator('.monaco-workbench.vs').waitFor();
    const monitor = visibleWebview(page);
    await monitor.locator('.chart-card canvas').first().waitFor();
    assert.match(await monitor.locator('body').getAttribute('class'), /vscode-light/);
    await settle(page, 800);
    await screenshot(page, 'monitor-5-light');
  });

  it('comes back after a window reload with its highlight', async () => {
    const { page } = session;
    await runCommand(page, 'Developer: Reload Window');
    await editorTab(page, 'Monitor: churn').waitFor({ timeout: 60_000 });
    await editorTab(page, 'Monitor: churn').click();
    const monitor = visibleWebview(page);
    await monitor.locator('.chart-card canvas').nth(3).waitFor({ timeout: 30_000 });
    assert.equal(await monitor.locator('select#highlight').inputValue(), '2');
    assert.equal(await monitor.locator('.checks-table tbody tr').count(), seeded.count + 1);
    await settle(page, 800);
    await screenshot(page, 'monitor-6-light-restored');
    assert.deepEqual(cspErrors(), [], 'no CSP violations');
  });
});
