import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { TrackingError, type ErrorCode } from '../store/trackingError';
import type { TrackingStore } from '../store/trackingStore';
import type { EngineEvent, EngineMessage, EngineRequest, EngineWorkerData, TRACKING_METHODS } from './engineProtocol';

type TrackingMethod = (typeof TRACKING_METHODS)[number];
type Ready = Extract<EngineEvent, { kind: 'ready' }>;
type Locked = Extract<EngineEvent, { kind: 'locked' }>;

/** Starts the engine worker (`dist/engine.js`) on a store folder and calls the store through it. */
export class EngineHost {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited = false;
  private readonly exitListeners: (() => void)[] = [];

  private constructor(private readonly worker: Worker, readonly ready: Ready, private readonly onEvent: (e: EngineEvent) => void) {
    worker.on('message', (message: EngineMessage) => this.receive(message));
    worker.on('exit', () => {
      this.exited = true;
      for (const { reject } of this.pending.values()) reject(new Error('The Trackside engine stopped.'));
      this.pending.clear();
      for (const listener of this.exitListeners) listener();
    });
  }

  /**
   * Resolves with a host once the store is open, or with the lock holder when another live
   * engine owns the folder. Rejects when the store cannot be opened (the message says why).
   */
  static start(
    data: EngineWorkerData,
    options: { script?: string; onEvent?: (e: EngineEvent) => void } = {},
  ): Promise<{ host: EngineHost } | { locked: Locked }> {
    const script = options.script ?? path.join(__dirname, 'engine.js');
    const onEvent = options.onEvent ?? (() => undefined);
    const worker = new Worker(script, { workerData: data });
    return new Promise((resolve, reject) => {
      const early = (message: EngineMessage): void => {
        if (!('kind' in message)) return;
        if (message.kind === 'log') onEvent(message);
        else if (message.kind === 'ready') {
          worker.off('message', early);
          resolve({ host: new EngineHost(worker, message, onEvent) });
        } else if (message.kind === 'locked') {
          worker.off('message', early);
          resolve({ locked: message });
        } else if (message.kind === 'failed') {
          worker.off('message', early);
          reject(new Error(message.message));
        }
      };
      worker.on('message', early);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`The Trackside engine exited (code ${code}) before opening the store.`)));
    });
  }

  /** Calls a TrackingStore method in the worker; writes resolve once durable. */
  call<M extends TrackingMethod>(method: M, ...args: Parameters<TrackingStore[M]>): Promise<ReturnType<TrackingStore[M]>> {
    return this.request({ kind: 'call', service: 'tracking', method, args }) as Promise<ReturnType<TrackingStore[M]>>;
  }

  /** Called once when the worker ends (stopped, or crashed). */
  onExit(listener: () => void): void {
    this.exitListeners.push(listener);
  }

  checkpoint(): Promise<void> {
    return this.request({ kind: 'checkpoint' }) as Promise<void>;
  }

  /** Checkpoints, closes the store and ends the worker. */
  async stop(): Promise<void> {
    if (this.exited) return;
    await this.request({ kind: 'close' }).catch(() => undefined);
    await this.worker.terminate();
  }

  private request(body: { kind: EngineRequest['kind'] } & Record<string, unknown>): Promise<unknown> {
    if (this.exited) return Promise.reject(new Error('The Trackside engine is not running.'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id } as EngineRequest);
    });
  }

  private receive(message: EngineMessage): void {
    if ('kind' in message) {
      this.onEvent(message);
      return;
    }
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.ok) waiter.resolve(message.result);
    else {
      const { code, message: text, name } = message.error;
      const error = code ? new TrackingError(code as ErrorCode, text) : Object.assign(new Error(text), { name });
      waiter.reject(error);
    }
  }
}
