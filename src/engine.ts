import { parentPort, workerData } from 'node:worker_threads';
import { TRACKING_METHODS, type EngineMessage, type EngineRequest, type EngineWorkerData } from './core/engine/engineProtocol';
import { StoreCorruptError, StoreLockedError } from './core/store/store';
import { StoreBackend } from './core/store/storeBackend';
import { TrackingError } from './core/store/trackingError';

/**
 * The engine worker: opens one store folder off the UI thread and answers calls from its host.
 * Every write is acknowledged only after the journal's fdatasync covers it.
 */
const port = parentPort;
if (!port) throw new Error('src/engine.ts must run as a worker_threads worker');
const data = workerData as EngineWorkerData;
const post = (message: EngineMessage): void => port.postMessage(message);
const allowed = new Set<string>(TRACKING_METHODS);

async function main(): Promise<void> {
  let backend: StoreBackend;
  try {
    backend = await StoreBackend.open(data.folder, {
      owner: data.owner,
      log: (level, message) => post({ kind: 'log', level, message }),
    });
  } catch (e) {
    if (e instanceof StoreLockedError) {
      post({ kind: 'locked', pid: e.holder.pid, owner: e.holder.owner, port: e.holder.port, tokenFile: e.holder.tokenFile });
    } else {
      post({ kind: 'failed', message: (e as Error).message, corrupt: e instanceof StoreCorruptError });
    }
    port!.close();
    return;
  }
  post({ kind: 'ready', folder: data.folder });

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
