import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TrackingClient } from '../client/trackingClient';
import { TrackingClientError } from '../client/trackingClientError';
import type { ArtifactContent, ExperimentReference, PipelineBatch, PipelineRunCreate, PipelineTracking, RunEndStatus } from './pipelineTracking';

/**
 * `PipelineTracking` over the MLflow REST client: the pipeline runner's runs go to whatever server
 * the client talks to (the local engine or a remote MLflow). `extraTags` are added to every run
 * it creates (such as `trackside.triggered_by`), so they are there from the run's first moment.
 */
export class ClientPipelineTracking implements PipelineTracking {
  private readonly experimentIds = new Map<string, Promise<string>>();

  constructor(
    private readonly client: TrackingClient,
    private readonly extraTags: Record<string, string> = {},
  ) {}

  async createRun(request: PipelineRunCreate): Promise<string> {
    const experimentId = await this.experimentId(request.experiment);
    const run = await this.client.runs.create({
      experimentId,
      runName: request.runName,
      startTime: request.startTime,
      tags: { ...request.tags, ...this.extraTags },
    });
    return run.info.run_id;
  }

  async logBatch(runId: string, batch: PipelineBatch): Promise<void> {
    await this.client.runs.logBatch(runId, batch);
  }

  async setTags(runId: string, tags: Record<string, string>): Promise<void> {
    await this.client.runs.logBatch(runId, { tags });
  }

  async uploadArtifact(runId: string, artifactPath: string, content: ArtifactContent): Promise<void> {
    const folder = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'trackside-pipeline-artifact-'));
    try {
      const file = path.join(folder, path.posix.basename(artifactPath));
      if (content instanceof Uint8Array) await fs.promises.writeFile(file, content);
      else await fs.promises.copyFile(content.file, file);
      const directory = path.posix.dirname(artifactPath);
      await this.client.artifacts.upload(runId, file, directory === '.' ? undefined : directory);
    } finally {
      await fs.promises.rm(folder, { recursive: true, force: true });
    }
  }

  async endRun(runId: string, status: RunEndStatus, endTime: number): Promise<void> {
    await this.client.runs.update(runId, { status, endTime });
  }

  private experimentId(experiment: ExperimentReference): Promise<string> {
    if ('experimentId' in experiment) return Promise.resolve(experiment.experimentId);
    let found = this.experimentIds.get(experiment.experimentName);
    if (!found) {
      found = this.findOrCreate(experiment.experimentName);
      found.catch(() => this.experimentIds.delete(experiment.experimentName));
      this.experimentIds.set(experiment.experimentName, found);
    }
    return found;
  }

  private async findOrCreate(name: string): Promise<string> {
    const existing = await this.client.experiments.getByName(name);
    if (existing) return existing.experiment_id;
    try {
      return await this.client.experiments.create(name);
    } catch (error) {
      if (error instanceof TrackingClientError && error.errorCode === 'RESOURCE_ALREADY_EXISTS') {
        const created = await this.client.experiments.getByName(name);
        if (created) return created.experiment_id;
      }
      throw error;
    }
  }
}
