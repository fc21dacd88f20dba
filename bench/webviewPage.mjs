// A Trackside webview bundle in a plain Chromium page, outside VS Code: the same HTML shape and CSP
// as src/extension/panels/webviewHtml.ts, a stub `acquireVsCodeApi`, and the host side played in
// Node by the real panel logic (out/src/extension/panels/*Panel.js) with a real TrackingClient.
// Used by webviews.bench.mjs (timings) and handy for looking at a panel quickly.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { root } from './benchUtil.mjs';

const THEMES = {
  dark: {
    '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', '--vscode-font-size': '13px', '--vscode-font-weight': 'normal',
    '--vscode-editor-font-family': '"Droid Sans Mono", monospace', '--vscode-editor-font-size': '14px',
    '--vscode-foreground': '#cccccc', '--vscode-descriptionForeground': '#9d9d9d', '--vscode-editor-background': '#1f1f1f',
    '--vscode-panel-border': '#2b2b2b', '--vscode-focusBorder': '#0078d4', '--vscode-list-hoverBackground': '#2a2d2e',
    '--vscode-list-inactiveSelectionBackground': '#37373d', '--vscode-list-activeSelectionBackground': '#04395e', '--vscode-list-activeSelectionForeground': '#ffffff',
    '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff',
    '--vscode-input-background': '#313131', '--vscode-input-foreground': '#cccccc', '--vscode-input-border': '#3c3c3c',
    '--vscode-charts-blue': '#3794ff', '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#89d185', '--vscode-charts-red': '#f14c4c', '--vscode-charts-purple': '#b180d7', '--vscode-charts-yellow': '#cca700',
    '--vscode-errorForeground': '#f85149', '--vscode-textLink-foreground': '#4daafc', '--vscode-editorWidget-background': '#202020', '--vscode-editorHoverWidget-background': '#202020', '--vscode-editorHoverWidget-foreground': '#cccccc', '--vscode-editorHoverWidget-border': '#454545',
  },
  light: {
    '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', '--vscode-font-size': '13px', '--vscode-font-weight': 'normal',
    '--vscode-editor-font-family': '"Droid Sans Mono", monospace', '--vscode-editor-font-size': '14px',
    '--vscode-foreground': '#3b3b3b', '--vscode-descriptionForeground': '#717171', '--vscode-editor-background': '#ffffff',
    '--vscode-panel-border': '#e5e5e5', '--vscode-focusBorder': '#005fb8', '--vscode-list-hoverBackground': '#f2f2f2',
    '--vscode-list-inactiveSelectionBackground': '#e4e6f1', '--vscode-list-activeSelectionBackground': '#e8e8e8', '--vscode-list-activeSelectionForeground': '#000000',
    '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff',
    '--vscode-input-background': '#ffffff', '--vscode-input-foreground': '#3b3b3b', '--vscode-input-border': '#cecece',
    '--vscode-charts-blue': '#1a85ff', '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#388a34', '--vscode-charts-red': '#e51400', '--vscode-charts-purple': '#652d90', '--vscode-charts-yellow': '#bf8803',
    '--vscode-errorForeground': '#f85149', '--vscode-textLink-foreground': '#005fb8', '--vscode-editorWidget-background': '#f8f8f8', '--vscode-editorHoverWidget-background': '#f8f8f8', '--vscode-editorHoverWidget-foreground': '#3b3b3b', '--vscode-editorHoverWidget-border': '#c8c8c8',
  },
};

// Runs in the page: VS Code's `acquireVsCodeApi`, replaced by a bridge to Node (exposeFunction out,
// page.evaluate in). A message arrives as one JSON text with its typed arrays base64-encoded, and is
// parsed and its typed arrays rebuilt here, inside the timing.
const STUB = `
(() => {
  let state;
  const types = { Float32Array, Float64Array, Uint32Array, Int32Array, Uint8Array };
  const reviver = (key, value) => {
    if (value && typeof value === 'object' && value.__typed) {
      // Base64 is a cost of this stand-in that VS Code's (binary ArrayBuffer) postMessage does not
      // have: decoded natively where Chromium can (Uint8Array.fromBase64), else with a plain loop
      // (Uint8Array.from(text, callback) took ~15 ms per 300 KB).
      let bytes;
      if (Uint8Array.fromBase64) bytes = Uint8Array.fromBase64(value.base64);
      else {
        const text = atob(value.base64);
        bytes = new Uint8Array(text.length);
        for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
      }
      return new types[value.__typed](bytes.buffer);
    }
    return value;
  };
  window.__timing = { requests: [], delivered: [] };
  window.__deliver = (messages) => {
    for (const message of messages) {
      const at = performance.now();
      const data = JSON.parse(message, reviver);
      window.__timing.delivered.push({ type: data.type, at, revivedAt: performance.now() });
      window.dispatchEvent(new MessageEvent('message', { data }));
    }
  };
  window.addEventListener('trackside:rendered', (event) => {
    requestAnimationFrame(() => { window.__timing.firstFrame = performance.now(); window.__timing.detail = event.detail; });
  });
  window.acquireVsCodeApi = () => ({
    postMessage: (message) => {
      window.__timing.requests.push({ type: message.type, at: performance.now() });
      window.__tracksideHost(JSON.stringify(message));
    },
    getState: () => state,
    setState: (next) => { state = next; },
  });
})();`;

/**
 * A host message as it crosses into the page: one JSON text (VS Code serialises a webview message
 * once too), with each typed array as base64 (VS Code sends their bytes as binary instead). One
 * string goes through Playwright's evaluate in a few milliseconds; the same message as nested
 * objects took 10–45 ms to cross, a cost of the stand-in alone.
 */
export function wireMessage(message) {
  return JSON.stringify(message, (key, value) => (ArrayBuffer.isView(value) ? typedArrayWire(value) : value));
}

function typedArrayWire(value) {
  return { __typed: value.constructor.name, base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
}

/** Encodes typed arrays as base64 (revived in the page). */
export function encodeMessage(value) {
  if (ArrayBuffer.isView(value)) return typedArrayWire(value);
  if (Array.isArray(value)) return value.map(encodeMessage);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeMessage(v)]));
  return value;
}

/** Serves dist/webview, media and the panel page on 127.0.0.1; resolves with its base URL and a close(). */
export async function startPageServer() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const send = (type, body) => {
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    if (url.pathname.startsWith('/panel/')) {
      const bundle = url.pathname.slice(7).replace(/[^\w]/g, '');
      const theme = url.searchParams.get('theme') === 'light' ? 'light' : 'dark';
      const nonce = crypto.randomBytes(16).toString('base64');
      const styleNonce = 'bench-style-nonce';
      const vars = Object.entries(THEMES[theme]).map(([k, v]) => `${k}: ${v}`).join('; ');
      const policy = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'self' 'nonce-${styleNonce}'; font-src 'self'; img-src 'self' data:`;
      return send('text/html', `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="${policy}"><meta property="csp-nonce" content="${styleNonce}">
<link rel="stylesheet" href="/theme.css?theme=${theme}"><link rel="stylesheet" href="/media/webview.css"><link rel="stylesheet" href="/media/${bundle}.css"></head>
<body class="vscode-${theme}" data-panel="${bundle}" data-vars="${vars}"><main id="app" aria-busy="true"><p class="placeholder">Loading…</p></main>
<script nonce="${nonce}" src="/stub.js"></script><script nonce="${nonce}" src="/dist/webview/${bundle}.js"></script></body></html>`);
    }
    if (url.pathname === '/theme.css') {
      const theme = url.searchParams.get('theme') === 'light' ? 'light' : 'dark';
      return send('text/css', `:root { ${Object.entries(THEMES[theme]).map(([k, v]) => `${k}: ${v};`).join(' ')} }`);
    }
    if (url.pathname === '/stub.js') return send('text/javascript', STUB);
    const file = path.join(root, path.normalize(url.pathname).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(path.join(root, 'dist')) && !file.startsWith(path.join(root, 'media'))) {
      res.writeHead(404).end();
      return;
    }
    fs.readFile(file, (error, body) => {
      if (error) return res.writeHead(404).end();
      send(file.endsWith('.css') ? 'text/css' : file.endsWith('.svg') ? 'image/svg+xml' : 'text/javascript', body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { baseUrl: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

/**
 * Opens a panel page and plays its host with a panel kind's real logic:
 * `kind.create(input, services, connection)` from out/, services backed by `client`.
 * @returns {Promise<{ page, logic, posted: object[] }>}
 */
export async function openPanelPage(context, baseUrl, { kind, input, client, theme = 'dark', viewport, beforeGoto }) {
  const page = await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const posted = [];
  // Host-side timings (Node's clock, durations only): per response, the host's work (its client
  // requests and packing) and the wire encoding.
  const hostTimings = [];
  // Each message goes at once, as VS Code's postMessage hands it over; the protocol keeps the order.
  const deliver = (wire) => void page.evaluate((messages) => window.__deliver(messages), [wire]).catch(() => undefined);
  const connection = {
    visible: true,
    styleNonce: 'bench-style-nonce',
    post(message, timing) {
      posted.push(message);
      const t0 = performance.now();
      const wire = wireMessage(message);
      if (timing) timing.encodeMs = performance.now() - t0;
      deliver(wire);
    },
    async respond(requestId, work) {
      const timing = { requestId };
      hostTimings.push(timing);
      const t0 = performance.now();
      try {
        const result = await work();
        timing.workMs = performance.now() - t0;
        this.post({ type: 'response', requestId, result }, timing);
      } catch (e) {
        this.post({ type: 'response', requestId, error: e.message });
      }
    },
    setTitle() {},
  };
  const services = {
    client: async () => client,
    executeCommand: async () => undefined,
    saveExport: async () => undefined,
    openFile: async () => undefined,
    pickFolder: async () => undefined,
    showInformation() {},
    memory: { get: () => undefined, update: async () => undefined },
    log: { info() {}, warn: (m) => console.error(m), error: (m) => console.error(m) },
  };
  const logic = kind.create(input, services, connection);
  await page.exposeFunction('__tracksideHost', (text) => {
    void logic.handle(JSON.parse(text)).catch((e) => console.error(`host: ${e.message}`));
  });
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await beforeGoto?.(page);
  await page.goto(`${baseUrl}/panel/${kind.bundle}?theme=${theme}`);
  return { page, logic, posted, errors, hostTimings };
}
