/**
 * What the pipeline runner needs from a tracking server. The extension implements it over the MLflow
 * REST client; tests use an in-memory recorder.
 */

export type RunEndStatus = 'FINISHED' | 'FAILED' | 'KILLED';

/** An experiment by id, or by name (created when it does not exist). */
export type ExperimentReference = { experimentId: string } | { experimentName: string };

export interface PipelineRunCreate {
  experiment: ExperimentReference;
  runName: string;
  /** Includes `mlflow.runName`, `mlflow.source.*`, `mlflow.user`, `trackside.pipeline`. */
  tags: Record<string, string>;
  /** Milliseconds since the epoch. */
  startTime: number;
}

export interface PipelineMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface PipelineBatch {
  metrics?: PipelineMetric[];
  /** Any number of entries: the implementation splits them to MLflow's batch limits. */
  params?: Record<string, string>;
  tags?: Record<string, string>;
}

/** An artifact's content: bytes, or a file on disk to upload. */
export type ArtifactContent = Uint8Array | { file: string };

export interface PipelineTracking {
  /** Creates the run and returns its id. */
  createRun(request: PipelineRunCreate): Promise<string>;
  logBatch(runId: string, batch: PipelineBatch): Promise<void>;
  setTags(runId: string, tags: Record<string, string>): Promise<void>;
  /** `artifactPath` is relative to the run's artifact root, e.g. `pipeline/stdout.txt`. */
  uploadArtifact(runId: string, artifactPath: string, content: ArtifactContent): Promise<void>;
  endRun(runId: string, status: RunEndStatus, endTime: number): Promise<void>;
}
