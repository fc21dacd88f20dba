import os from 'node:os';
import type { MetricInput } from '../client/clientTypes';
import type { TrackingClient } from '../client/trackingClient';
import { TrackingClientError } from '../client/trackingClientError';
import type { RunStatus } from '../../shared/entities';

/** The experiment's id, creating it when it does not exist yet (another process may create it first). */
export async function experimentIdFor(client: TrackingClient, name: string): Promise<string> {
  const existing = await client.experiments.getByName(name);
  if (existing) return existing.experiment_id;
  try {
    return await client.experiments.create(name);
  } catch (e) {
    if (!(e instanceof TrackingClientError) || e.errorCode !== 'RESOURCE_ALREADY_EXISTS') throw e;
    const created = await client.experiments.getByName(name);
    if (!created) throw e;
    return created.experiment_id;
  }
}

export interface TrackedRunStart {
  experimentName: string;
  runName: string;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  /** `mlflow.source.name`, e.g. `trackside models predict`. */
  source: string;
}

/** A run that a Trackside job (batch scoring, an A/B comparison) logs while it works. */
export class TrackedRun {
  private constructor(
    private readonly client: TrackingClient,
    readonly experimentId: string,
    readonly runId: string,
  ) {}

  static async start(client: TrackingClient, options: TrackedRunStart): Promise<TrackedRun> {
    const experimentId = await experimentIdFor(client, options.experimentName);
    const user = safeUser();
    const run = await client.runs.create({
      experimentId,
      runName: options.runName,
      userId: user,
      tags: { 'mlflow.user': user, 'mlflow.source.type': 'LOCAL', 'mlflow.source.name': options.source, 'mlflow.runName': options.runName, ...options.tags },
    });
    const tracked = new TrackedRun(client, experimentId, run.info.run_id);
    if (options.params && Object.keys(options.params).length > 0) await client.runs.logBatch(tracked.runId, { params: options.params });
    return tracked;
  }

  async log(metrics: Record<string, number>, tags: Record<string, string> = {}): Promise<void> {
    const now = Date.now();
    const points: MetricInput[] = Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: now, step: 0 }));
    await this.client.runs.logBatch(this.runId, { metrics: points, tags });
  }

  async upload(localPath: string, artifactPath?: string): Promise<string[]> {
    return this.client.artifacts.upload(this.runId, localPath, artifactPath);
  }

  async finish(status: RunStatus): Promise<void> {
    await this.client.runs.update(this.runId, { status, endTime: Date.now() });
  }

  /** Ends the run FAILED (or KILLED) with the reason as a tag; never throws (the first error matters more). */
  async fail(error: unknown, killed = false): Promise<void> {
    try {
      await this.client.runs.setTag(this.runId, 'trackside.error', ((error as Error)?.message ?? String(error)).slice(0, 5000));
      await this.finish(killed ? 'KILLED' : 'FAILED');
    } catch {
      // The server may be what failed; the caller reports the original error.
    }
  }
}

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
