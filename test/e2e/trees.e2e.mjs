// The sidebar a person meets: the empty state, experiments → runs with their context menu, models →
// versions with alias badges, and the status bar. Screenshots: test-results/screenshots/trees-*.png
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createStateDirectory, openActivityBarView, openWorkbench, screenshot } from '../harness/codeServer.mjs';
import { seedDemoExperiment, withStoreServer } from '../harness/seedStore.mjs';

/** The sidebar row whose label is exactly `label`. */
const sidebarRow = (page, label) =>
  page
    .locator('.part.sidebar .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) })
    .first();

describe('Trackside sidebar: empty state', { timeout: 180_000 }, () => {
  let session;
  before(async () => {
    session = await openWorkbench({ folder: createStateDirectory('trackside-empty-') });
  });
  after(async () => session?.close());

  it('shows next steps when the store is new', async () => {
    const { page } = session;
    await openActivityBarView(page, 'Trackside');
    const welcome = page.locator('.part.sidebar .welcome-view-content', { hasText: 'No experiments yet' });
    await welcome.waitFor({ timeout: 30_000 });
    assert.ok(await page.locator('.part.sidebar .welcome-view-content a, .part.sidebar .welcome-view-content .monaco-button', { hasText: 'Create Experiment' }).count());
    const status = page.locator('.statusbar-item', { hasText: /Trackside :\d+/ });
    await status.waitFor({ timeout: 30_000 });
    await screenshot(page, 'trees-empty-state');
  });
});

describe('Trackside sidebar: experiments, runs and models', { timeout: 240_000 }, () => {
  let session;
  before(async () => {
    const folder = createStateDirectory('trackside-trees-');
    await withStoreServer(path.join(folder, '.trackside'), (ctx) => seedDemoExperiment(ctx));
    session = await openWorkbench({ folder, settings: { 'trackside.tree.keyMetric': 'val_auc' } });
  });
  after(async () => session?.close());

  it('lists experiments, runs newest first with status and key metric, nested runs under their parent', async () => {
    const { page } = session;
    await openActivityBarView(page, 'Trackside');
    const experiment = sidebarRow(page, 'churn-model');
    await experiment.waitFor({ timeout: 30_000 });
    assert.match(await experiment.innerText(), /6 runs/); // 4 top-level runs and 2 nested
    await experiment.click();
    const sweep = sidebarRow(page, 'depth-sweep');
    await sweep.waitFor();
    assert.match(await sweep.innerText(), /2 nested/);
    const first = sidebarRow(page, 'gbm-lr0.1');
    await first.waitFor();
    assert.match(await first.innerText(), /val_auc 0\.\d+/);
    const labels = await page.locator('.part.sidebar .monaco-list-row .label-name').allInnerTexts();
    assert.ok(labels.indexOf('gbm-lr0.01') < labels.indexOf('gbm-lr0.1'), `newest first: ${labels.join(', ')}`);
    // Expand with the twistie: a click on the label opens the run's details instead.
    await sweep.locator('.monaco-tl-twistie').click();
    await sidebarRow(page, 'depth-2').waitFor();
    await screenshot(page, 'trees-experiments-runs');
  });

  it('offers the run actions in the context menu', async () => {
    const { page } = session;
    await sidebarRow(page, 'gbm-lr0.05').click({ button: 'right' });
    const menu = page.locator('.context-view .monaco-menu');
    await menu.waitFor();
    await page.waitForTimeout(300); // let the menu finish fading in before reading and capturing it
    const items = await menu.locator('.action-label').allInnerTexts();
    for (const label of ['Open Run Charts', 'Open Run Details', 'Compare Runs', 'Copy Run ID', 'Copy runs:/ URI', 'Rename Run…', 'Register Model from Run…', 'Delete Run']) {
      assert.ok(items.includes(label), `context menu has ${label}: ${items.join(' | ')}`);
    }
    await screenshot(page, 'trees-run-context-menu');
    await page.keyboard.press('Escape');
  });

  it('shows model versions with alias and stage badges', async () => {
    const { page } = session;
    const models = page.locator('.part.sidebar .pane-header', { hasText: 'Models' });
    if ((await models.getAttribute('aria-expanded')) !== 'true') await models.click();
    const model = sidebarRow(page, 'churn');
    await model.waitFor();
    await model.click();
    const v2 = sidebarRow(page, 'Version 2');
    await v2.waitFor();
    assert.match(await v2.innerText(), /@champion/);
    assert.match(await sidebarRow(page, 'Version 1').innerText(), /Staging/);
    await screenshot(page, 'trees-models-versions');
  });

  it('shows the local server in the status bar, with its menu', async () => {
    const { page } = session;
    const status = page.locator('.statusbar-item', { hasText: /Trackside :\d+/ });
    await status.waitFor();
    await status.click();
    const quick = page.locator('.quick-input-widget');
    await quick.locator('.monaco-list-row', { hasText: 'Copy Tracking Environment' }).waitFor();
    await screenshot(page, 'trees-status-menu');
    await page.keyboard.press('Escape');
    assert.ok(fs.existsSync(path.join(session.folder, '.trackside', 'store.lock')), 'this window owns the store');
  });
});
