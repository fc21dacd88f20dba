import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ArtifactStore } from '../store/artifactStore';
import type { StoreBackend } from '../store/storeBackend';
import { TrackingError } from '../store/trackingError';
import { ChangeStream } from './changeStream';
import { artifactListRoutes, artifactProxyRoutes, plainArtifactRoutes } from './handlers/artifactRoutes';
import { experimentRoutes } from './handlers/experimentRoutes';
import { importRoutes } from './handlers/importRoutes';
import { modelArtifactRoutes, registryExtraRoutes, registryRoutes } from './handlers/registryRoutes';
import { metricRoutes, runRoutes } from './handlers/runRoutes';
import { openRoutes, tracksideRoutes } from './handlers/tracksideRoutes';
import { HttpError, errorResponse } from './httpErrors';
import { isJsonContentType, parseJsonObject, queryObject, readBody } from './requestParsing';
import { RESPONDED, type HttpMethod, type Route, type RouteContext, type RouteGroup } from './route';
import { FETCH_BLOCKED_PORTS, checkBearer, checkHost, checkOrigin, checkPathSegments } from './securityGuards';

export interface TrackingServerOptions {
  backend: StoreBackend;
  /** 0 = any free port. */
  port?: number;
  token: string;
  /** Extra route groups (the registry adds its own). */
  groups?: RouteGroup[];
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

/** The route groups of the MLflow tracking surface and Trackside's extras. */
export function trackingRouteGroups(): RouteGroup[] {
  return [
    {
      prefixes: ['/api/2.0/mlflow/', '/ajax-api/2.0/mlflow/'],
      routes: [...experimentRoutes, ...runRoutes, ...metricRoutes, ...artifactListRoutes, ...registryRoutes],
      authenticated: true,
    },
    { prefixes: ['/api/2.0/mlflow-artifacts/', '/ajax-api/2.0/mlflow-artifacts/'], routes: artifactProxyRoutes, authenticated: true },
    { prefixes: ['/api/2.0/trackside/'], routes: [...tracksideRoutes, ...registryExtraRoutes, ...importRoutes], authenticated: true },
    { prefixes: ['/'], routes: [...plainArtifactRoutes, ...modelArtifactRoutes], authenticated: true },
    { prefixes: ['/'], routes: openRoutes, authenticated: false },
  ];
}

interface Mounted {
  route: Route;
  authenticated: boolean;
}

/**
 * MLflow's REST API on 127.0.0.1 over one store: node:http, the route table as data, MLflow's error
 * bodies and status codes, the security checks of ARCHITECTURE.md, and durable acknowledgements.
 */
export class TrackingServer {
  private readonly exact = new Map<string, Mounted>();
  private readonly wildcards: { method: HttpMethod; prefix: string; mounted: Mounted }[] = [];
  private readonly knownPaths = new Set<string>();
  readonly events: ChangeStream;
  private readonly artifacts: ArtifactStore;
  private port = 0;

  private constructor(private readonly server: http.Server, private readonly options: TrackingServerOptions) {
    const backend = options.backend;
    this.artifacts = new ArtifactStore(backend.tracking.artifactsRoot ?? '/nonexistent-trackside-artifacts');
    this.events = new ChangeStream(backend.store, (runId) => {
      try {
        return String(backend.tracking.runs.row(runId).experiment_id);
      } catch {
        return undefined;
      }
    });
    for (const group of [...trackingRouteGroups(), ...(options.groups ?? [])]) {
      for (const prefix of group.prefixes) {
        for (const route of group.routes) {
          const mounted = { route, authenticated: group.authenticated };
          if (route.path.endsWith('/*')) {
            this.wildcards.push({ method: route.method, prefix: prefix + route.path.slice(0, -1), mounted });
          } else {
            this.exact.set(`${route.method} ${prefix}${route.path}`, mounted);
            this.knownPaths.add(prefix + route.path);
          }
        }
      }
    }
    server.on('request', (req, res) => void this.handle(req, res));
    server.on('clientError', answerMalformedRequest);
  }

  /** Starts listening on 127.0.0.1 (never another interface, never a fetch-blocked port). */
  static async start(options: TrackingServerOptions): Promise<TrackingServer> {
    const requested = options.port ?? 0;
    if (FETCH_BLOCKED_PORTS.has(requested)) {
      throw new Error(`Port ${requested} is on the browsers' blocked-port list (fetch refuses it): choose another one.`);
    }
    // requireHostHeader: false lets checkHost answer a missing Host with its 403 JSON error (Node's own
    // check answered a bare 400 before any handler ran).
    const server = http.createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, requireHostHeader: false });
    const instance = new TrackingServer(server, options);
    for (let attempt = 0; ; attempt++) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(requested, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
      const port = (server.address() as AddressInfo).port;
      if (!FETCH_BLOCKED_PORTS.has(port) || requested !== 0 || attempt > 20) break;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    instance.port = (server.address() as AddressInfo).port;
    return instance;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get listeningPort(): number {
    return this.port;
  }

  async close(): Promise<void> {
    this.events.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET') as HttpMethod;
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      checkHost(req, this.port);
      checkOrigin(req);
      checkPathSegments(req.url ?? '/');
      const found = this.find(method, url.pathname);
      if (!found) {
        // Every /api and /ajax-api request needs the token, even one for an unknown route.
        if (/^\/(api|ajax-api)\//.test(url.pathname)) checkBearer(req, this.options.token);
        throw this.notFound(method, url.pathname);
      }
      const { mounted, rest } = found;
      if (mounted.authenticated) checkBearer(req, this.options.token);
      const route = mounted.route;
      let body: Record<string, unknown> = {};
      let bodyBytes = 0;
      if (method === 'GET') body = queryObject(url.searchParams, route.arrays);
      else if (!route.rawBody) {
        const raw = await readBody(req);
        bodyBytes = raw.length;
        if ((method === 'POST' || method === 'PATCH' || raw.length > 0) && !isJsonContentType(req.headers['content-type'])) {
          throw new HttpError(400, 'INVALID_PARAMETER_VALUE', "Bad Request. Content-Type must be one of ['application/json'].");
        }
        body = parseJsonObject(raw);
        // DELETE requests may also carry their fields in the query string.
        if (method === 'DELETE') body = { ...queryObject(url.searchParams), ...body };
      }
      const context: RouteContext = {
        req, res, url, body, bodyBytes, pathRest: rest, backend: this.options.backend, artifacts: this.artifacts, events: this.events,
      };
      const result = await route.handler(context);
      if (result === RESPONDED) return;
      if (route.write) await this.options.backend.store.synced();
      send(res, 200, result ?? {});
    } catch (e) {
      const { status, body, internal } = errorResponse(e);
      if (internal) this.options.log?.('error', `${method} ${req.url}: ${(e as Error)?.stack ?? String(e)}`);
      if (!res.headersSent) {
        if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="trackside"');
        send(res, status, body);
      } else res.destroy();
      if (!req.complete) req.resume();
    }
  }

  private find(method: HttpMethod, pathname: string): { mounted: Mounted; rest: string } | undefined {
    const exact = this.exact.get(`${method} ${pathname}`);
    if (exact) return { mounted: exact, rest: '' };
    for (const w of this.wildcards) {
      if (w.method === method && pathname.startsWith(w.prefix) && pathname.length > w.prefix.length) {
        let rest: string;
        try {
          rest = decodeURIComponent(pathname.slice(w.prefix.length));
        } catch {
          throw new HttpError(400, 'INVALID_PARAMETER_VALUE', 'The artifact path is not valid percent-encoded UTF-8.');
        }
        return { mounted: w.mounted, rest };
      }
    }
    return undefined;
  }

  private notFound(method: string, pathname: string): TrackingError {
    const otherMethod = this.knownPaths.has(pathname) || this.wildcards.some((w) => pathname.startsWith(w.prefix));
    return new TrackingError(
      'ENDPOINT_NOT_FOUND',
      otherMethod ? `${pathname} does not accept ${method}.` : `No endpoint ${method} ${pathname}.`,
    );
  }
}

/**
 * A request Node's HTTP parser refused (bad request line, header or chunk, headers too large):
 * answered as an MLflow error body too, instead of Node's bare `400 Bad Request`.
 */
function answerMalformedRequest(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify({ error_code: 'BAD_REQUEST', message: `Malformed HTTP request (${error.code ?? error.message}).` });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
