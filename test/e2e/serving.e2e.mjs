// Serving a model version from the Models view: a person logs and registers a model from Python,
// opens Trackside, serves a version from its context menu, sees it under "Serving" and sends the
// model's input example as a test request. Screenshots: test-results/screenshots/serving-*.png
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createStateDirectory, openActivityBarView, openWorkbench, projectRoot, screenshot } from '../harness/codeServer.mjs';
import { withStoreServer } from '../harness/seedStore.mjs';

const ROWS = [
  { tenure: 12, plan: 2, calls: 1.5 },
  { tenure: 40, plan: 1, calls: 0 },
];
const spend = (r) => 5 + 3 * r.tenure + 10 * r.plan - 2 * r.calls;

/** Logs and registers the demo model twice (v1, v2 @champion) through the bundled Python client. */
function logDemoModel({ url, token }) {
  const code = `
import trackside
from trackside.models.demo import LinearModel
trackside.set_experiment("churn-spend")
for version, scale in enumerate((0.9, 1.0), 1):
    with trackside.start_run(run_name="linear-%d" % version):
        trackside.log_param("scale", scale)
        model = LinearModel({"tenure": 3 * scale, "plan": 10 * scale, "calls": -2 * scale}, 5 * scale)
        info = trackside.log_model(model, "model", input_example=${JSON.stringify(ROWS)}, registered_model_name="spend-model")
trackside.TracksideClient().set_registered_model_alias("spend-model", "champion", info.registered_model_version)
`;
  return new Promise((resolve, reject) => {
    execFile(
      'python3',
      ['-c', code],
      { env: { ...process.env, PYTHONPATH: path.join(projectRoot, 'src', 'python'), MLFLOW_TRACKING_URI: url, MLFLOW_TRACKING_TOKEN: token }, timeout: 60_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`python3 failed: ${stderr || error.message}`)) : resolve(stdout)),
    );
  });
}

/** The sidebar row whose label is exactly `label`. */
const sidebarRow = (page, label) =>
  page
    .locator('.part.sidebar .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) })
    .first();

async function contextMenuItem(page, row, label) {
  await row.click({ button: 'right' });
  const menu = page.locator('.context-view .monaco-menu');
  await menu.waitFor();
  await page.waitForTimeout(300); // the menu fades in
  return menu.locator('.action-item', { has: page.locator('.action-label', { hasText: new RegExp(`^${label}$`) }) }).first();
}

describe('Trackside: serve a model version and send a test request', { timeout: 300_000 }, () => {
  let session;
  before(async () => {
    const folder = createStateDirectory('trackside-serving-');
    await withStoreServer(path.join(folder, '.trackside'), (context) => logDemoModel(context));
    session = await openWorkbench({ folder });
  });
  after(async () => session?.close());

  it('serves version 2 from the Models view and lists it under Serving', async () => {
    const { page } = session;
    await openActivityBarView(page, 'Trackside');
    const models = page.locator('.part.sidebar .pane-header', { hasText: 'Models' });
    if ((await models.getAttribute('aria-expanded')) !== 'true') await models.click();
    const model = sidebarRow(page, 'spend-model');
    await model.waitFor({ timeout: 30_000 });
    await model.click();
    const version = sidebarRow(page, 'Version 2');
    await version.waitFor();
    assert.match(await version.innerText(), /@champion/);
    const serve = await contextMenuItem(page, version, 'Serve Model Version…');
    await screenshot(page, 'serving-context-menu');
    await serve.click();
    const endpoint = sidebarRow(page, 'spend-model v2');
    await endpoint.waitFor({ timeout: 60_000 });
    assert.match(await endpoint.innerText(), /127\.0\.0\.1:\d+/);
    assert.match(await sidebarRow(page, 'Serving').innerText(), /1 endpoint/);
    assert.match(await sidebarRow(page, 'Version 2').innerText(), /serving/);
    await page.locator('.notifications-toasts .notification-toast', { hasText: /Serving spend-model v2 at http:\/\/127\.0\.0\.1:\d+/ }).waitFor();
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'starting' }).waitFor({ state: 'detached' });
    await page.waitForTimeout(500); // let the toast finish fading in
    await screenshot(page, 'serving-endpoint');
  });

  it('sends the model\u2019s input example and shows the predictions', async () => {
    const { page } = session;
    // Clear earlier notifications so the answer is the one on screen.
    for (const close of await page.locator('.notifications-toasts .codicon-notifications-clear').all()) await close.click().catch(() => {});
    const send = await contextMenuItem(page, sidebarRow(page, 'spend-model v2'), 'Send Test Request');
    await send.click();
    const expected = ROWS.map(spend);
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: /spend-model v2 answered in \d+ ms/ });
    await toast.waitFor({ timeout: 30_000 });
    const text = await toast.innerText();
    assert.ok(text.includes(JSON.stringify({ predictions: expected })), text);
    await page.mouse.move(700, 300); // no hover tooltip over the tree
    await page.waitForTimeout(500); // let the toast finish fading in
    await screenshot(page, 'serving-test-request');
  });

  it('shows the endpoint’s log: the request, the answer and the server’s access log', async () => {
    const { page } = session;
    await sidebarRow(page, 'spend-model v2').click(); // a click on an endpoint opens its log
    const output = page.locator('.part.panel .view-lines');
    // The editor shows spaces as no-break spaces: \s matches both.
    await output.filter({ hasText: /"POST\s\/invocations"\s200/ }).waitFor({ timeout: 30_000 });
    const text = await output.innerText();
    assert.match(text, />\sPOST\shttp:\/\/127\.0\.0\.1:\d+\/invocations\s\{"dataframe_split"/);
    assert.match(text, /<\s200\sin\s[\d.]+\sms:\s\{"predictions":/);
    await screenshot(page, 'serving-logs');
  });

  it('stops serving from the endpoint\u2019s menu', async () => {
    const { page } = session;
    const stop = await contextMenuItem(page, sidebarRow(page, 'spend-model v2'), 'Stop Serving');
    await stop.click();
    await sidebarRow(page, 'Serving').waitFor({ state: 'detached', timeout: 30_000 });
    assert.doesNotMatch(await sidebarRow(page, 'Version 2').innerText(), /serving/);
    await screenshot(page, 'serving-stopped');
  });
});
