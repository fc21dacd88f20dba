import { parentPort, workerData } from 'node:worker_threads';
import { TRACKING_METHODS, type EngineMessage, type EngineRequest, type EngineWorkerData } from './core/engine/engineProtocol';
import { TrackingServer } from './core/server/trackingServer';
import { StoreCorruptError, StoreLockedError } from './core/store/store';
import { StoreBackend } from './core/store/storeBackend';
import { readOrCreateToken } from './core/store/storeToken';
import { TrackingError } from './core/store/trackingError';

/**
 * The engine worker: opens one store folder off the UI thread, serves it over MLflow's REST API on
 * 127.0.0.1 when asked, and answers calls from its host. Every write is acknowledged only once the
 * journal holds it durably.
 */
const port = parentPort;
if (!port) throw new Error('src/engine.ts must run as a worker_threads worker');
const data = workerData as EngineWorkerData;
const post = (message: EngineMessage): void => port.postMessage(message);
const log = (level: 'info' | 'warn' | 'error', message: string): void => post({ kind: 'log', level, message });
const allowed = new Set<string>(TRACKING_METHODS);

async function open(): Promise<{ backend: StoreBackend; server?: TrackingServer } | undefined> {
  let backend: StoreBackend;
  try {
    backend = await StoreBackend.open(data.folder, { owner: data.owner, log });
  } catch (e) {
    if (e instanceof StoreLockedError) {
      post({ kind: 'locked', pid: e.holder.pid, owner: e.holder.owner, port: e.holder.port, tokenFile: e.holder.tokenFile });
    } else {
      post({ kind: 'failed', message: (e as Error).message, corrupt: e instanceof StoreCorruptError });
    }
    return undefined;
  }
  if (!data.server) {
    post({ kind: 'ready', folder: data.folder });
    return { backend };
  }
  try {
    const { token, file } = readOrCreateToken(data.folder);
    const server = await TrackingServer.start({ backend, port: data.server.port, token: data.server.token ?? token, log });
    backend.store.publish({ port: server.listeningPort, tokenFile: data.server.token ? undefined : file });
    post({ kind: 'ready', folder: data.folder, port: server.listeningPort, tokenFile: file });
    return { backend, server };
  } catch (e) {
    await backend.close();
    post({ kind: 'failed', message: `Cannot serve the store on 127.0.0.1:${data.server.port}: ${(e as Error).message}`, corrupt: false });
    return undefined;
  }
}

async function main(): Promise<void> {
  const opened = await open();
  if (!opened) {
    port!.close();
    return;
  }
  const { backend, server } = opened;
  port!.on('message', (request: EngineRequest) => {
    void (async () => {
      try {
        let result: unknown;
        if (request.kind === 'call') {
          if (request.service !== 'tracking' || !allowed.has(request.method)) {
            throw new Error(`Unknown engine method ${request.service}.${request.method}`);
          }
          const method = (backend.tracking as unknown as Record<string, (...args: unknown[]) => unknown>)[request.method];
          result = method.apply(backend.tracking, request.args);
          await backend.store.synced();
        } else if (request.kind === 'checkpoint') {
          await backend.store.checkpoint();
        } else {
          await server?.close();
          await backend.close();
          post({ id: request.id, ok: true, result: undefined });
          port!.close();
          return;
        }
        post({ id: request.id, ok: true, result });
      } catch (e) {
        const error = e as Error;
        post({
          id: request.id,
          ok: false,
          error: { name: error.name, message: error.message, code: e instanceof TrackingError ? e.code : undefined },
        });
      }
    })();
  });
}

void main();
