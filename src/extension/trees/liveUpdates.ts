import type { ChangeEvent } from '../../shared/changeEvents';
import type { ConnectionManager } from '../connection/connectionManager';
import { log } from '../log';
import { Disposable, toDisposable } from '../util/disposable';
import type { ExperimentsTreeProvider } from './experimentsTreeProvider';
import type { ModelsTreeProvider } from './modelsTreeProvider';

const DEBOUNCE_MS = 300;

/**
 * Listens to the server's change stream (or polling, against plain MLflow) while connected, merges
 * what arrives within 300 ms, and tells the trees and any other listener what changed.
 */
export class LiveUpdates extends Disposable {
  private abort: AbortController | undefined;
  private pending: ChangeEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(events: ChangeEvent[]) => void>();

  constructor(
    private readonly connection: ConnectionManager,
    private readonly experiments: ExperimentsTreeProvider,
    private readonly models: ModelsTreeProvider,
  ) {
    super();
    this._register(connection.onDidChangeState((state) => {
      this.stop();
      if (state.kind === 'local' || state.kind === 'attached' || state.kind === 'remote') this.start();
    }));
    this._register(toDisposable(() => this.stop()));
  }

  /** Other views (panels) that want the same debounced events. */
  subscribe(listener: (events: ChangeEvent[]) => void): { dispose(): void } {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  }

  private start(): void {
    const client = this.connection.connectedClient;
    if (!client) return;
    const abort = (this.abort = new AbortController());
    client
      .events((event) => this.queue(event), abort.signal, {
        onStatus: (status: string) => {
          if (status === 'connected') {
            // Events may have been missed while disconnected: re-read what is shown.
            this.experiments.refresh();
            this.models.refresh();
          }
        },
      })
      .catch((e: Error) => {
        if (!abort.signal.aborted) log().warn(`Live updates stopped: ${e.message}`);
      });
  }

  private stop(): void {
    this.abort?.abort();
    this.abort = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
  }

  private queue(event: ChangeEvent): void {
    this.pending.push(event);
    this.timer ??= setTimeout(() => this.flush(), DEBOUNCE_MS);
  }

  private flush(): void {
    this.timer = undefined;
    const events = this.pending;
    this.pending = [];
    const modelNames = new Set<string>();
    for (const event of events) {
      if (event.type === 'models') event.names.forEach((n) => modelNames.add(n));
      else this.experiments.applyChange(event);
    }
    if (modelNames.size > 0) this.models.applyChange([...modelNames]);
    for (const listener of this.listeners) listener(events);
  }
}
