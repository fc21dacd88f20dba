import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TrackingClient } from '../client/trackingClient';
import { TrackingClientError } from '../client/trackingClientError';

/** The experiment monitoring runs (drift and performance checks) go to unless told. */
export const monitoringExperimentName = 'Monitoring';

/** The tag saying which kind of monitoring run a run is: `drift` or `performance`. */
export const monitorTag = 'trackside.monitor';

/** MLflow's limit on a run tag's value. */
export const tagValueLimit = 5000;

/** The id of the experiment of that name, created when there is none. */
export async function ensureExperiment(client: TrackingClient, name: string): Promise<string> {
  const existing = await client.experiments.getByName(name);
  if (existing !== undefined) {
    return existing.experiment_id;
  }
  try {
    return await client.experiments.create(name);
  } catch (error) {
    // Someone created it meanwhile.
    if (error instanceof TrackingClientError && error.errorCode === 'RESOURCE_ALREADY_EXISTS') {
      const created = await client.experiments.getByName(name);
      if (created !== undefined) {
        return created.experiment_id;
      }
    }
    throw error;
  }
}

/** Uploads bytes as the artifact `artifactPath` (such as `drift/report.html`) of a run. */
export async function uploadArtifactBytes(client: TrackingClient, runId: string, artifactPath: string, bytes: Uint8Array | string): Promise<void> {
  const folder = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'trackside-artifact-'));
  try {
    const file = path.join(folder, path.posix.basename(artifactPath));
    await fs.promises.writeFile(file, bytes);
    const directory = path.posix.dirname(artifactPath);
    await client.artifacts.upload(runId, file, directory === '.' ? undefined : directory);
  } finally {
    await fs.promises.rm(folder, { recursive: true, force: true });
  }
}

/** A tag value cut to MLflow's limit, ending in `…` when cut. */
export function tagValue(text: string): string {
  return text.length <= tagValueLimit ? text : `${text.slice(0, tagValueLimit - 1)}…`;
}

/** Runs `work` on a created run and ends it FINISHED, or FAILED (with `trackside.error`) when it throws. */
export async function withRun<T>(client: TrackingClient, runId: string, work: () => Promise<T>): Promise<T> {
  try {
    const result = await work();
    await client.runs.update(runId, { status: 'FINISHED', endTime: Date.now() });
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await client.runs.setTag(runId, 'trackside.error', tagValue(message)).catch(() => undefined);
    await client.runs.update(runId, { status: 'FAILED', endTime: Date.now() }).catch(() => undefined);
    throw error;
  }
}
