// Builds every bundle Trackside ships into dist/:
//   dist/extension.js   the VS Code extension (Node, CommonJS, `vscode` external)
//   dist/engine.js      the engine worker (worker_threads entry)
//   dist/cli.js         the `trackside` command line (with a shebang)
//   dist/webview/*.js   one browser bundle per panel (webview/<panel>/main.ts)
//   dist/sql-wasm.wasm  sql.js's WebAssembly, loaded with `wasmBinary`
//   dist/python/        the stdlib-only Python client and the pipeline kernel bootstrap
// Usage: node esbuild.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const dist = path.join(root, 'dist');

const exists = (p) => fs.existsSync(path.join(root, p));

/** Copies the non-TypeScript files the bundles load at run time. */
function copyAssets() {
  fs.mkdirSync(dist, { recursive: true });
  fs.copyFileSync(path.join(root, 'node_modules/sql.js/dist/sql-wasm.wasm'), path.join(dist, 'sql-wasm.wasm'));
  const pySource = path.join(root, 'src/python');
  if (fs.existsSync(pySource)) {
    const pyTarget = path.join(dist, 'python');
    fs.rmSync(pyTarget, { recursive: true, force: true });
    fs.cpSync(pySource, pyTarget, {
      recursive: true,
      filter: (p) => !p.includes('__pycache__') && !p.endsWith('.pyc'),
    });
  }
}

const copyAssetsPlugin = {
  name: 'copy-assets',
  setup(build) {
    build.onEnd(() => copyAssets());
  },
};

const problemMatcherPlugin = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => { if (watch) console.log('[watch] build started'); });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  plugins: [problemMatcherPlugin],
};

const nodeCommon = {
  ...common,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // sql.js's Node build probes for these; we hand it the wasm bytes ourselves.
  external: ['vscode'],
};

const configs = [];
if (exists('src/extension/extension.ts')) {
  configs.push({
    ...nodeCommon,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    plugins: [...nodeCommon.plugins, copyAssetsPlugin],
    // When the bundle started evaluating: activation reports how long loading and activate() took.
    banner: { js: 'globalThis.__tracksideBundleStart = performance.now();' },
  });
}
if (exists('src/engine.ts')) {
  configs.push({ ...nodeCommon, entryPoints: ['src/engine.ts'], outfile: 'dist/engine.js' });
}
if (exists('src/cli.ts')) {
  configs.push({ ...nodeCommon, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } });
}
const webviewDir = path.join(root, 'webview');
const panels = fs.existsSync(webviewDir)
  ? fs.readdirSync(webviewDir).filter((d) => fs.existsSync(path.join(webviewDir, d, 'main.ts')))
  : [];
for (const panel of panels) {
  configs.push({
    ...common,
    entryPoints: [`webview/${panel}/main.ts`],
    outfile: `dist/webview/${panel}.js`,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
  });
}

async function main() {
  copyAssets();
  const contexts = await Promise.all(configs.map((c) => esbuild.context(c)));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  fs.chmodSync(path.join(dist, 'cli.js'), 0o755);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
