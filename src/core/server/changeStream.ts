import type { ServerResponse } from 'node:http';
import type { ChangeEvent } from '../../shared/changeEvents';
import type { Mutation } from '../store/mutations';
import type { Store } from '../store/store';

const FLUSH_MS = 100;
const KEEPALIVE_MS = 15_000;

/**
 * The server-sent-events stream of store changes. Mutations are folded into one pending event per
 * kind and flushed at most every 100 ms, so a client ingesting 250k points/s costs subscribers a
 * few small messages a second, not one per point.
 */
export class ChangeStream {
  private readonly clients = new Set<ServerResponse>();
  private experiments = new Set<string>();
  private runs = new Map<string, string | undefined>();
  private metrics = new Map<string, Set<string>>();
  private models = new Set<string>();
  private experimentIdsByRun: (runId: string) => string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private keepalive: NodeJS.Timeout | undefined;
  private sequence = 0;
  private readonly subscription: { dispose(): void };

  constructor(store: Store, experimentOfRun: (runId: string) => string | undefined) {
    this.experimentIdsByRun = experimentOfRun;
    this.subscription = store.onMutation((m) => this.record(m));
  }

  /** Adds an SSE client; it is dropped when its connection closes. */
  subscribe(res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: 2000\n: connected\n\n`);
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    this.keepalive ??= setInterval(() => {
      for (const client of this.clients) client.write(': keepalive\n\n');
    }, KEEPALIVE_MS).unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  close(): void {
    this.subscription.dispose();
    if (this.timer) clearTimeout(this.timer);
    if (this.keepalive) clearInterval(this.keepalive);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private record(m: Mutation): void {
    if (this.clients.size === 0) return;
    switch (m.t) {
      case 'createExperiment':
        this.experiments.add(String(m.id));
        break;
      case 'renameExperiment':
      case 'deleteExperiment':
      case 'restoreExperiment':
      case 'setExperimentTag':
        this.experiments.add(String(m.id));
        break;
      case 'createRun':
        this.runs.set(m.runId, String(m.experimentId));
        this.experiments.add(String(m.experimentId));
        break;
      case 'updateRun':
      case 'deleteRun':
      case 'restoreRun':
      case 'deleteTag':
      case 'logInputs':
        this.runs.set(m.runId, this.experimentIdsByRun(m.runId));
        break;
      case 'logBatch': {
        if (m.params.length > 0 || m.tags.length > 0) this.runs.set(m.runId, this.experimentIdsByRun(m.runId));
        if (m.metrics.length > 0) {
          let keys = this.metrics.get(m.runId);
          if (!keys) this.metrics.set(m.runId, (keys = new Set()));
          for (const metric of m.metrics) keys.add(metric[0]);
        }
        break;
      }
      case 'purge':
        for (const id of m.experimentIds) this.experiments.add(String(id));
        for (const id of m.runIds) this.runs.set(id, undefined);
        break;
      default:
        if ('name' in m) this.models.add(m.name);
        if ('newName' in m) this.models.add(m.newName);
    }
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    this.timer = undefined;
    const events: ChangeEvent[] = [];
    if (this.experiments.size > 0) events.push({ type: 'experiments', experimentIds: [...this.experiments] });
    if (this.runs.size > 0) {
      events.push({
        type: 'runs',
        runIds: [...this.runs.keys()],
        experimentIds: [...new Set([...this.runs.values()].filter((v): v is string => v !== undefined))],
      });
    }
    if (this.metrics.size > 0) {
      events.push({ type: 'metrics', runs: Object.fromEntries([...this.metrics].map(([run, keys]) => [run, [...keys]])) });
    }
    if (this.models.size > 0) events.push({ type: 'models', names: [...this.models] });
    this.experiments = new Set();
    this.runs = new Map();
    this.metrics = new Map();
    this.models = new Set();
    for (const event of events) {
      const frame = `id: ${++this.sequence}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
      for (const client of this.clients) client.write(frame);
    }
  }
}
