import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TrackingClient, type TrackingClientOptions } from '../../../src/core/client/trackingClient';
import { TrackingServer } from '../../../src/core/server/trackingServer';
import { StoreBackend } from '../../../src/core/store/storeBackend';
import { removeFolder, tempFolder } from '../helpers/tempFolder';

/** A real Trackside server on a temp store, and a client of it. */
export class ServerFixture {
  private constructor(
    readonly folder: string,
    readonly backend: StoreBackend,
    readonly server: TrackingServer,
    readonly token: string,
    readonly client: TrackingClient,
  ) {}

  static async start(options: Partial<TrackingClientOptions> = {}): Promise<ServerFixture> {
    const folder = tempFolder('trackside-client-');
    const backend = await StoreBackend.open(folder, { owner: 'test', idleCheckpointMs: 0 });
    const token = crypto.randomBytes(16).toString('hex');
    const server = await TrackingServer.start({ backend, port: 0, token });
    const client = new TrackingClient({ trackingUri: server.url, token, retryBackoffMs: 5, ...options });
    return new ServerFixture(folder, backend, server, token, client);
  }

  /** Another client of the same server (other options, e.g. no token). */
  clientWith(options: Partial<TrackingClientOptions>): TrackingClient {
    return new TrackingClient({ trackingUri: this.server.url, token: this.token, retryBackoffMs: 5, ...options });
  }

  async stop(): Promise<void> {
    this.client.close();
    await this.server.close();
    await this.backend.close();
    removeFolder(this.folder);
  }
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A loopback HTTP server answering with `respond` and recording each request. */
export class ScriptedServer {
  readonly requests: RecordedRequest[] = [];

  private constructor(private readonly server: http.Server) {}

  static async start(
    respond: (req: http.IncomingMessage, res: http.ServerResponse, body: string, index: number) => void | Promise<void>,
  ): Promise<ScriptedServer> {
    let instance: ScriptedServer;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        instance.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        void respond(req, res, body, instance.requests.length - 1);
      });
    });
    instance = new ScriptedServer(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return instance;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/**
 * A proxy in front of a Trackside server that makes it look like plain MLflow 2.12.2: `/version`
 * answers `2.12.2` as text, everything under `/api/2.0/trackside/` is a 404, and (optionally)
 * `get-history-bulk-interval` too, as on MLflow before 2.11. Records the paths it forwarded.
 */
export class PlainMlflowProxy {
  readonly forwarded: string[] = [];

  private constructor(private readonly server: http.Server) {}

  static async start(target: string, options: { withoutBulkInterval?: boolean } = {}): Promise<PlainMlflowProxy> {
    const upstream = new URL(target);
    let instance: PlainMlflowProxy;
    const server = http.createServer((req, res) => {
      const path = req.url ?? '/';
      const notFound = (): void => {
        res.writeHead(404, { 'Content-Type': 'text/html' });
        res.end('<!doctype html><title>404 Not Found</title><h1>Not Found</h1>');
      };
      if (path === '/version') {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('2.12.2');
        return;
      }
      if (path.startsWith('/api/2.0/trackside/')) return notFound();
      if (options.withoutBulkInterval && path.startsWith('/api/2.0/mlflow/metrics/get-history-bulk-interval')) return notFound();
      instance.forwarded.push(`${req.method} ${path.split('?')[0]}`);
      const forward = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path, headers: { ...req.headers, host: upstream.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      req.pipe(forward);
    });
    instance = new PlainMlflowProxy(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return instance;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** Waits until `check` returns true (polling every 10 ms), failing after `timeoutMs`. */
export async function eventually(check: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
