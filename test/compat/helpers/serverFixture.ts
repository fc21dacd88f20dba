import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { TrackingServer } from '../../../src/core/server/trackingServer';
import { StoreBackend } from '../../../src/core/store/storeBackend';

/** The project root (this file compiles to out/test/compat/helpers/). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
export const CLI_PATH = path.join(PROJECT_ROOT, 'dist', 'cli.js');

export interface ApiOptions {
  /** The bearer token to send; `null` sends no Authorization header. Default: the server's token. */
  token?: string | null;
  /** Extra headers; a value of `undefined` removes a default header (Content-Type, Authorization). */
  headers?: Record<string, string | undefined>;
  /** Send this exact body (string or bytes) instead of JSON-encoding `body`. */
  raw?: string | Buffer;
  /** The Host header; `null` sends none at all. Default: `127.0.0.1:<port>`. */
  host?: string | null;
  /** Connect to this address instead of 127.0.0.1. */
  address?: string;
  /** An http.Agent (keep-alive for many requests); default: a new connection each time. */
  agent?: http.Agent;
  /** For an event stream: resolve as soon as the status and headers arrive, then drop the connection. */
  headersOnly?: boolean;
  /** Fail a request that has no complete answer after this long (default 30 s). */
  timeoutMs?: number;
}

export interface ApiResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The parsed body when it is JSON, else undefined. */
  json: any;
  body: Buffer;
}

export type Api = (method: string, path: string, bodyOrQuery?: unknown, options?: ApiOptions) => Promise<ApiResponse>;

export interface ServerHandle {
  url: string;
  port: number;
  token: string;
  folder: string;
  api: Api;
  /** In-process servers only: the backend serving the store. */
  backend?: StoreBackend;
  /** Stops the server (and closes the store); removes the folder unless `keepFolder`. */
  stop(options?: { keepFolder?: boolean }): Promise<void>;
}

export function newStoreFolder(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'trackside-compat-'));
}

/** A GET query string: arrays become repeated keys (`run_ids=a&run_ids=b`). */
export function queryString(query: Record<string, unknown>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * One HTTP request with node:http (so Host, Origin and malformed bodies can be sent as they are).
 * GET and HEAD take `bodyOrQuery` as the query string; other methods send it as JSON.
 */
export function request(port: number, token: string, method: string, urlPath: string, bodyOrQuery?: unknown, options: ApiOptions = {}): Promise<ApiResponse> {
  let target = urlPath;
  let payload: Buffer | undefined;
  const headers: Record<string, string> = {};
  const tokenToSend = options.token === undefined ? token : options.token;
  if (tokenToSend !== null) headers.Authorization = `Bearer ${tokenToSend}`;
  if (options.raw !== undefined) {
    payload = Buffer.isBuffer(options.raw) ? options.raw : Buffer.from(options.raw, 'utf8');
    headers['Content-Type'] = 'application/json';
  } else if (bodyOrQuery !== undefined && (method === 'GET' || method === 'HEAD')) {
    target += queryString(bodyOrQuery as Record<string, unknown>);
  } else if (bodyOrQuery !== undefined) {
    payload = Buffer.from(JSON.stringify(bodyOrQuery), 'utf8');
    headers['Content-Type'] = 'application/json';
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    const existing = Object.keys(headers).find((h) => h.toLowerCase() === name.toLowerCase());
    if (existing) delete headers[existing];
    if (value !== undefined) headers[name] = value;
  }
  if (payload) headers['Content-Length'] = String(payload.length);
  if (options.host !== null) headers.Host = options.host ?? `127.0.0.1:${port}`;
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: options.address ?? '127.0.0.1', port, method, path: target, headers, setHost: false, agent: options.agent ?? false },
      (res) => {
        if (options.headersOnly && String(res.headers['content-type']).startsWith('text/event-stream')) {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: '', json: undefined, body: Buffer.alloc(0) });
          req.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, body });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(options.timeoutMs ?? 30_000, () => req.destroy(new Error(`no answer to ${method} ${target} within ${options.timeoutMs ?? 30_000} ms`)));
    req.end(payload);
  });
}

function handle(port: number, token: string, folder: string, stop: ServerHandle['stop'], backend?: StoreBackend): ServerHandle {
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    token,
    folder,
    backend,
    api: (method, urlPath, bodyOrQuery, options) => request(port, token, method, urlPath, bodyOrQuery, options),
    stop,
  };
}

/** A real TrackingServer in this process over a store folder (a fresh temp folder by default). */
export async function startInProcessServer(options: { folder?: string; token?: string } = {}): Promise<ServerHandle> {
  const folder = options.folder ?? newStoreFolder();
  const token = options.token ?? crypto.randomBytes(24).toString('base64url');
  const backend = await StoreBackend.open(folder, { owner: 'compat test' });
  const server = await TrackingServer.start({ backend, port: 0, token });
  let stopped = false;
  return handle(server.listeningPort, token, folder, async ({ keepFolder = false } = {}) => {
    if (!stopped) {
      stopped = true;
      await server.close();
      await backend.close();
    }
    if (!keepFolder) fs.rmSync(folder, { recursive: true, force: true });
  }, backend);
}

/** The output of a CLI process so far, for assertions and failure messages. */
export interface CliServerHandle extends ServerHandle {
  child: ChildProcess;
  output(): string;
}

/** Builds dist/cli.js when it is missing (`npm test` builds it before the compat tier). */
export function ensureCliBuilt(): void {
  if (fs.existsSync(CLI_PATH)) return;
  const result = spawnSync('npm', ['run', 'build'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  if (result.status !== 0 || !fs.existsSync(CLI_PATH)) throw new Error('npm run build did not produce dist/cli.js');
}

/** Runs `trackside <args>` to completion: exit code and output. */
export function runCli(args: string[], timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  ensureCliBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`trackside ${args.join(' ')} did not exit within ${timeoutMs} ms:\n${stdout}${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `node dist/cli.js server --store <folder> --port 0`, read back its URL and the token file. */
export async function startCliServer(options: { folder?: string } = {}): Promise<CliServerHandle> {
  ensureCliBuilt();
  const folder = options.folder ?? newStoreFolder();
  const child = spawn(process.execPath, [CLI_PATH, 'server', '--store', folder, '--port', '0'], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`trackside server did not start within 20 s:\n${output}`)), 20_000);
    const check = (): void => {
      const match = /MLFLOW_TRACKING_URI=http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`trackside server exited with ${code}:\n${output}`));
    });
  });
  const token = fs.readFileSync(path.join(folder, 'token'), 'utf8').trim();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = handle(port, token, folder, async ({ keepFolder = false } = {}) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    if (!keepFolder) fs.rmSync(folder, { recursive: true, force: true });
  });
  return { ...base, child, output: () => output };
}
