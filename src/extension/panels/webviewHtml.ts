import crypto from 'node:crypto';
import * as vscode from 'vscode';

/** A nonce for the CSP: 128 random bits. */
export function createNonce(): string {
  return crypto.randomBytes(16).toString('base64');
}

/** Webview options shared by every panel: scripts on, files only from the bundles and media. No retainContextWhenHidden. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableFindWidget: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export interface WebviewHtmlOptions {
  webview: vscode.Webview;
  extensionUri: vscode.Uri;
  /** The bundle `dist/webview/<bundle>.js` and its stylesheet `media/<bundle>.css`. */
  bundle: string;
  title: string;
  /**
   * A nonce for `<style>` elements (separate from the script nonce), added to `style-src` and
   * published in `<meta property="csp-nonce">`, the hook the webview UI toolkit reads: its
   * `:focus-visible` probe inserts a `<style>` element, which the policy would otherwise block (a
   * CSP error in every panel and `:focus` rings on every click). The run details panel also stamps
   * it on the `<style>` blocks of an HTML artifact shown in a sandboxed `srcdoc` frame (which
   * inherits this policy), so a report keeps its styling. Style attributes and `'unsafe-inline'`
   * stay out; a `srcdoc` frame needs no `frame-src`.
   */
  styleNonce: string;
}

/**
 * The HTML of every Trackside panel, built here only. The policy is strict: scripts only with this
 * page's nonce, styles, fonts and images only from the extension's own files (`data:` images too)
 * plus `<style>` elements carrying the style nonce, nothing else — `connect-src` falls back to
 * `'none'`, so a webview never reaches the HTTP server.
 */
export function webviewHtml(options: WebviewHtmlOptions): string {
  const { webview, extensionUri, bundle } = options;
  const nonce = createNonce();
  const asset = (...parts: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...parts)).toString();
  const source = webview.cspSource;
  const policy = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${source} 'nonce-${options.styleNonce}'`,
    `font-src ${source}`,
    `img-src ${source} data:`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta property="csp-nonce" content="${options.styleNonce}">
<link rel="stylesheet" href="${asset('media', 'webview.css')}">
<link rel="stylesheet" href="${asset('media', `${bundle}.css`)}">
<title>${escapeHtml(options.title)}</title>
</head>
<body data-panel="${bundle}">
<main id="app" aria-busy="true"><p class="placeholder">Loading…</p></main>
<script nonce="${nonce}" src="${asset('dist', 'webview', `${bundle}.js`)}"></script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
