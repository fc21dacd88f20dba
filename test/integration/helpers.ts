import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TracksideApi } from '../../src/extension/extension';

/** The activated extension's API (the same objects the views and commands use). */
export async function tracksideApi(): Promise<TracksideApi> {
  const extension = vscode.extensions.getExtension<TracksideApi>('trackside.trackside');
  if (!extension) throw new Error('Trackside is not loaded');
  return extension.activate();
}

export function extensionRoot(): string {
  return vscode.extensions.getExtension('trackside.trackside')!.extensionPath;
}

/** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs python3 with a script and extra environment; resolves with stdout, rejects with stderr. */
export function runPython(code: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('python3', ['-c', code], { env: { ...process.env, ...env }, timeout: 60000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`python3 failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/** A standalone `trackside server` on a new temp store (a "remote" MLflow server for the tests). */
export async function startStandaloneServer(): Promise<{ url: string; token: string; folder: string; process: ChildProcess; stop(): Promise<void> }> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'trackside-remote-'));
  const child = spawn(process.execPath, [path.join(extensionRoot(), 'dist', 'cli.js'), 'server', '--store', folder, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /MLFLOW_TRACKING_URI=(\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`trackside server exited with ${code}`)));
  });
  const token = fs.readFileSync(path.join(folder, 'token'), 'utf8').trim();
  return {
    url, token, folder, process: child,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          fs.rmSync(folder, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** A small Python program that logs one run over MLflow's REST API with urllib (no client library). */
export function pythonRestLogger(experimentName: string, runName: string, points: number): string {
  return `
import json, os, time, urllib.request
uri = os.environ['MLFLOW_TRACKING_URI']; token = os.environ.get('MLFLOW_TRACKING_TOKEN')
def call(path, body):
    req = urllib.request.Request(uri + '/api/2.0/mlflow/' + path, data=json.dumps(body).encode(), method='POST',
        headers={'Content-Type': 'application/json', **({'Authorization': 'Bearer ' + token} if token else {})})
    with urllib.request.urlopen(req) as r: return json.loads(r.read() or b'{}')
try:
    exp = call('experiments/create', {'name': ${JSON.stringify(experimentName)}})['experiment_id']
except Exception:
    req = urllib.request.Request(uri + '/api/2.0/mlflow/experiments/get-by-name?experiment_name=' + ${JSON.stringify(encodeURIComponent(experimentName))},
        headers={'Authorization': 'Bearer ' + token} if token else {})
    exp = json.loads(urllib.request.urlopen(req).read())['experiment']['experiment_id']
run = call('runs/create', {'experiment_id': exp, 'run_name': ${JSON.stringify(runName)}})['run']['info']['run_id']
call('runs/log-batch', {'run_id': run, 'params': [{'key': 'lr', 'value': '0.01'}],
    'metrics': [{'key': 'loss', 'value': 1.0 / (i + 1), 'timestamp': int(time.time() * 1000), 'step': i} for i in range(${points})]})
call('runs/update', {'run_id': run, 'status': 'FINISHED', 'end_time': int(time.time() * 1000)})
print(run)
`;
}
