// Webview figures (issue: webviews), measured in Chromium from the webview's request to the first
// frame that shows the answer. The page is the built bundle (dist/webview/*.js) under the panels'
// CSP with a stub acquireVsCodeApi; the host side is the real panel logic (out/) answering through
// a real TrackingClient and TrackingServer over a generated store. References in the same run:
// chart.js drawing every point (no downsampling) and the runs table as one plain <table> (no
// virtualisation), each fed through the same pipeline.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { load, log, now, report, root, tempDir } from './benchUtil.mjs';
import { logSeries, logSweep } from './chartData.mjs';
import { encodeMessage, openPanelPage, startPageServer } from './webviewPage.mjs';

const { StoreBackend } = load('src/core/store/storeBackend');
const { TrackingClient } = load('src/core/client/trackingClient');
const { chartsPanelKind } = load('src/extension/panels/chartsPanel');
const { runsTablePanelKind } = load('src/extension/panels/runsTablePanel');
const { packedBytes } = load('src/shared/charts/packedSeries');

const REPEATS = Number(process.env.BENCH_WEBVIEW_REPEATS ?? 9);
const TABLE_RUNS = Number(process.env.BENCH_TABLE_RUNS ?? 10_000);
const VIEWPORT = { width: 1280, height: 800 };
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function buildStore(dir) {
  const t0 = now();
  const backend = await StoreBackend.open(dir, { idleCheckpointMs: 0, checkpointBytes: 1024 * 1024 * 1024 });
  const charts = backend.tracking.createExperiment({ name: 'charts' }).experiment_id;
  const run100k = logSeries(backend, charts, 'steps-100k', 100_000, 1);
  const run1m = logSeries(backend, charts, 'steps-1m', 1_000_000, 2);
  const sweep = logSweep(backend, charts);
  const table = backend.tracking.createExperiment({ name: 'table' }).experiment_id;
  for (let r = 0; r < TABLE_RUNS; r++) {
    const runId = backend.tracking.createRun({ experiment_id: table, run_name: `run-${r}`, start_time: 1_700_000_000_000 + r * 60_000, tags: [{ key: 'team', value: `t${r % 5}` }, { key: 'mlflow.source.name', value: 'train.py' }] }).info.run_id;
    const metrics = [];
    for (let k = 0; k < 6; k++) for (let step = 0; step < 5; step++) metrics.push({ key: `metric_${k}`, value: Math.sin(r + k + step), timestamp: 1_700_000_000_000 + step, step });
    backend.tracking.logBatch({ run_id: runId, metrics, params: Array.from({ length: 8 }, (_, p) => ({ key: `param_${p}`, value: String((r * (p + 1)) % 97) })) });
    if (r % 1000 === 999) await backend.store.synced();
  }
  await backend.close();
  log(`store: 1.6M chart points and ${TABLE_RUNS.toLocaleString()} table runs built in ${((now() - t0) / 1000).toFixed(1)} s`);
  return { charts, run100k, run1m, sweep, table };
}

/** Serves the store with `trackside server` (dist/cli.js) in its own process, as the engine runs beside VS Code's extension host. */
async function startServer(dir) {
  const child = spawn(process.execPath, [path.join(root, 'dist', 'cli.js'), 'server', '--store', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /MLFLOW_TRACKING_URI=(\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => reject(new Error(`trackside server exited (${code}): ${output}`)));
  });
  const token = fs.readFileSync(path.join(dir, 'token'), 'utf8').trim();
  return { url, token, stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGINT'))) };
}

/** Opens a panel page; resolves with request → first frame (ms) and what the host sent. */
async function timePanel(context, baseUrl, client, kind, input, requestType) {
  const { page, posted, errors, hostTimings } = await openPanelPage(context, baseUrl, { kind, input, client, viewport: VIEWPORT });
  await page.waitForFunction(() => window.__timing.firstFrame !== undefined, null, { timeout: 120_000 });
  const timing = await page.evaluate(() => window.__timing);
  const request = timing.requests.find((r) => r.type === requestType);
  const answered = timing.delivered.filter((d) => d.type === (requestType === 'ready' ? 'table' : 'response'))[0];
  const real = errors.filter((e) => !/404 \(Not Found\)/.test(e));
  if (real.length) log(`page errors: ${real.join(' | ')}`);
  const timeline = timing.delivered.map((d) => `${d.type} at ${(d.at - request.at).toFixed(0)} ms`).join(', ');
  // Where the time goes (charts): the host's work (HTTP fetch of the downsampled series + packing),
  // the wire encoding, the two hops between page and Node (Playwright), reviving the typed arrays in
  // the page, unpacking until drawing starts, drawing (update + canvas), and the wait for the frame
  // that shows it (two animation frames, with the canvas rasterised in between).
  let phases;
  const host = hostTimings[0];
  const detail = timing.detail;
  if (requestType === 'loadSeries' && host?.workMs !== undefined && detail?.drawStart !== undefined) {
    phases = {
      hostWork: host.workMs,
      encode: host.encodeMs,
      hops: answered.at - request.at - host.workMs - host.encodeMs,
      revive: answered.revivedAt - answered.at,
      unpack: detail.drawStart - answered.revivedAt,
      draw: detail.drawMs,
      frame: timing.firstFrame - detail.drawStart - detail.drawMs,
    };
  }
  return { ms: timing.firstFrame - request.at, host: answered.at - request.at, draw: timing.detail?.drawMs, posted, page, timeline, phases };
}

/** The reference for charts: every point, fetched with get-history and drawn by chart.js (UMD build, everything registered). */
async function referenceChart(context, client, runIds) {
  const page = await context.newPage();
  await page.setViewportSize(VIEWPORT);
  await page.setContent('<!DOCTYPE html><html><body style="margin:0"><div style="display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));padding:12px"><div style="height:260px"><canvas id="c"></canvas></div></div></body></html>');
  await page.addScriptTag({ path: path.join(root, 'node_modules/chart.js/dist/chart.umd.js') });
  await page.exposeFunction('__fetchAll', async () => {
    const histories = await Promise.all(runIds.map((id) => client.metrics.getHistory(id, 'loss')));
    return histories.map((points) => encodeMessage({ x: Float64Array.from(points, (p) => p.step), y: Float64Array.from(points, (p) => (typeof p.value === 'number' ? p.value : NaN)) }));
  });
  const ms = await page.evaluate(async () => {
    const t0 = performance.now();
    const encoded = await window.__fetchAll();
    const decode = (v) => {
      const text = atob(v.base64);
      const bytes = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
      return new Float64Array(bytes.buffer);
    };
    const datasets = encoded.map((e, i) => {
      const x = decode(e.x);
      const y = decode(e.y);
      const data = new Array(x.length);
      for (let j = 0; j < x.length; j++) data[j] = { x: x[j], y: y[j] };
      return { data, borderColor: `hsl(${i * 47}, 70%, 50%)`, borderWidth: 1.5, pointRadius: 0 };
    });
    new window.Chart(document.getElementById('c'), { type: 'line', data: { datasets }, options: { parsing: false, normalized: true, animation: false, responsive: true, maintainAspectRatio: false, scales: { x: { type: 'linear' } }, plugins: { legend: { display: false } } } });
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    return performance.now() - t0;
  });
  await page.close();
  return ms;
}

/** The reference for the table: the same rows and columns as one plain <table> (every row in the DOM). */
async function referenceTable(context, client, experimentId) {
  const page = await context.newPage();
  await page.setViewportSize(VIEWPORT);
  await page.setContent('<!DOCTYPE html><html><body style="margin:0;font:13px sans-serif"><div id="s" style="height:760px;overflow:auto"></div></body></html>');
  await page.exposeFunction('__table', async () => JSON.stringify(await client.runsTable({ experimentIds: [experimentId], viewType: 'ACTIVE_ONLY' })));
  const ms = await page.evaluate(async () => {
    const t0 = performance.now();
    const data = JSON.parse(await window.__table());
    const table = document.createElement('table');
    const head = table.createTHead().insertRow();
    const columns = ['run_name', 'status', 'start_time', 'user_id', ...data.columns.params.map((k) => `param:${k}`), ...data.columns.metrics.map((k) => `metric:${k}`)];
    for (const c of columns) head.insertCell().textContent = c;
    const body = table.createTBody();
    for (const run of data.runs) {
      const row = body.insertRow();
      for (const c of columns) {
        const [kind, key] = c.includes(':') ? c.split(':') : ['attr', c];
        row.insertCell().textContent = kind === 'param' ? run.params[key] ?? '' : kind === 'metric' ? String(run.metrics[key]?.[0] ?? '') : String(run[key] ?? '');
      }
    }
    document.getElementById('s').appendChild(table);
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    return performance.now() - t0;
  });
  const scroll = await scrollFrames(page, '#s');
  await page.close();
  return { ms, scroll };
}

/** Scrolls `selector` by `SCROLL_STEP` px a frame for 120 frames; frame intervals from requestAnimationFrame. */
const SCROLL_STEP = 240;
function scrollFrames(page, selector) {
  return page.evaluate(async ({ sel, step }) => {
    const scroller = document.querySelector(sel);
    const intervals = [];
    let last = await new Promise((resolve) => requestAnimationFrame(resolve));
    for (let i = 0; i < 120; i++) {
      scroller.scrollTop = ((i + 1) * step) % Math.max(1, scroller.scrollHeight - scroller.clientHeight);
      const t = await new Promise((resolve) => requestAnimationFrame(resolve));
      intervals.push(t - last);
      last = t;
    }
    intervals.sort((a, b) => a - b);
    return { p95: intervals[Math.floor(intervals.length * 0.95)], max: intervals[intervals.length - 1], mean: intervals.reduce((a, b) => a + b, 0) / intervals.length };
  }, { sel: selector, step: SCROLL_STEP });
}

async function main() {
  if (!fs.existsSync(path.join(root, 'dist/webview/charts.js'))) throw new Error('Build first: npm run build');
  const dir = tempDir('webviews');
  const store = await buildStore(dir);
  const server = await startServer(dir);
  const client = new TrackingClient({ trackingUri: server.url, token: server.token });
  const pages = await startPageServer();
  const browser = await chromium.launch({ executablePath: process.env.TRACKSIDE_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const scenarios = [
      { name: 'chart: 1 series × 100k steps, request → first frame', runIds: [store.run100k], target: 150 },
      { name: 'chart: 1 series × 1M steps, request → first frame', runIds: [store.run1m], target: 250 },
      { name: 'chart: 50 series × 10k points, request → first frame', runIds: store.sweep, target: 150, payload: true },
    ];
    for (const scenario of scenarios) {
      const times = [];
      const hosts = [];
      const draws = [];
      const phases = [];
      let bytes = 0;
      let buckets = 0;
      for (let i = 0; i < REPEATS; i++) {
        const { ms, host, draw, posted, page, phases: p } = await timePanel(context, pages.baseUrl, client, chartsPanelKind, { runIds: scenario.runIds, keys: ['loss'] }, 'loadSeries');
        times.push(ms);
        hosts.push(host);
        draws.push(draw);
        if (p) phases.push(p);
        const answer = posted.find((m) => m.type === 'response');
        bytes = packedBytes(answer.result);
        buckets = answer.result.reduce((sum, s) => sum + s.length, 0);
        await page.close();
      }
      const reference = await referenceChart(context, client, scenario.runIds);
      log(`${scenario.name}: ${times.map((t) => t.toFixed(0)).join(', ')} ms (host and transfer ${median(hosts).toFixed(0)} ms, page ${(median(times) - median(hosts)).toFixed(0)} ms of which drawing ${median(draws).toFixed(0)} ms, medians); ${buckets.toLocaleString()} buckets, ${(bytes / 1024).toFixed(0)} KB`);
      if (phases.length) {
        const parts = Object.keys(phases[0]).map((k) => `${k} ${median(phases.map((p) => p[k])).toFixed(1)}`);
        log(`  phases (medians, ms): ${parts.join(' · ')}`);
      }
      report({ name: scenario.name, value: median(times), unit: 'ms', target: `≤ ${scenario.target} ms`, reference, referenceName: 'chart.js, every point', ok: median(times) <= scenario.target });
      if (scenario.payload) report({ name: 'chart: 50 series × 10k points, payload', value: bytes / 1024, unit: 'KB', target: '≤ 512 KB (0.5 MB)', ok: bytes <= 512 * 1024 });
    }

    const times = [];
    const hosts = [];
    let scroll;
    for (let i = 0; i < REPEATS; i++) {
      const { ms, host, page, posted, timeline } = await timePanel(context, pages.baseUrl, client, runsTablePanelKind, { experimentIds: [store.table] }, 'ready');
      times.push(ms);
      hosts.push(host);
      // The whole table follows the first rows: wait for it (the next page must not queue behind it).
      await page.locator('footer .status', { hasText: `${TABLE_RUNS.toLocaleString('en-US')} runs` }).waitFor({ timeout: 60_000 });
      if (i === 0) {
        const [first, whole] = posted.filter((m) => m.type === 'table');
        log(`runs table: first ${first.data.runs.length} runs (${(JSON.stringify(first).length / 1e6).toFixed(1)} MB of JSON, read in ${first.loadedMs} ms), then all ${whole.data.runs.length.toLocaleString()} (${(JSON.stringify(whole).length / 1e6).toFixed(1)} MB, read in ${whole.loadedMs} ms); messages: ${timeline}`);
        scroll = await scrollFrames(page, '.grid');
      }
      await page.close();
    }
    const reference = await referenceTable(context, client, store.table);
    log(`runs table: ${times.map((t) => t.toFixed(0)).join(', ')} ms; scrolling mean ${scroll.mean.toFixed(1)} ms, p95 ${scroll.p95.toFixed(1)} ms, max ${scroll.max.toFixed(1)} ms a frame`);
    report({ name: `runs table: ${TABLE_RUNS.toLocaleString()} runs, request → first rows`, value: median(times), unit: 'ms', target: '≤ 500 ms', reference: reference.ms, referenceName: 'plain <table>, no virtualisation', ok: median(times) <= 500 });
    report({ name: `runs table: scrolling ${SCROLL_STEP} px a frame (${(SCROLL_STEP * 60).toLocaleString('en-US')} px/s), mean frame`, value: scroll.mean, unit: 'ms', target: '≤ 16.7 ms (60 fps)', reference: reference.scroll.mean, referenceName: 'plain <table>', ok: scroll.mean <= 16.7 * 1.1 });
    report({ name: `runs table: scrolling, p95 frame`, value: scroll.p95, unit: 'ms', target: '≤ 33.4 ms (no frame dropped twice)', reference: reference.scroll.p95, referenceName: 'plain <table>', ok: scroll.p95 <= 33.4 });
  } finally {
    await browser.close();
    await pages.close();
    client.close();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
