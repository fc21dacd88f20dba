import type { KeyValue, ModelVersionStage, RunStatus } from '../../shared/entities';

/**
 * Every change to a store is one of these records: fully resolved (ids, names and times chosen
 * before it is applied), so applying it again to the same state during journal replay gives the
 * same result. Metric values travel as numbers with NaN as null (JSON has no NaN).
 */
export type TrackingMutation =
  | { t: 'createExperiment'; id: number; name: string; artifactLocation: string; tags: KeyValue[]; now: number }
  | { t: 'renameExperiment'; id: number; name: string; now: number }
  | { t: 'deleteExperiment'; id: number; now: number }
  | { t: 'restoreExperiment'; id: number; now: number }
  | { t: 'setExperimentTag'; id: number; key: string; value: string; now: number }
  | {
      t: 'createRun';
      runId: string;
      experimentId: number;
      name: string;
      userId: string;
      startTime: number;
      artifactUri: string;
      tags: KeyValue[];
    }
  | { t: 'updateRun'; runId: string; status?: RunStatus; endTime?: number; name?: string }
  /** A run copied from another MLflow store (`importMlflow`): its own id, times, status and user. */
  | {
      t: 'importRun';
      runId: string;
      experimentId: number;
      name: string;
      userId: string;
      status: RunStatus;
      startTime: number | null;
      endTime: number | null;
      artifactUri: string;
      tags: KeyValue[];
    }
  | { t: 'deleteRun'; runId: string; now: number }
  | { t: 'restoreRun'; runId: string }
  | {
      t: 'logBatch';
      runId: string;
      /** [key, value (null = NaN), timestamp, step] */
      metrics: [string, number | null, number, number][];
      params: KeyValue[];
      tags: KeyValue[];
    }
  | { t: 'deleteTag'; runId: string; key: string }
  | { t: 'logInputs'; runId: string; datasets: ResolvedDatasetInput[] }
  | { t: 'purge'; runIds: string[]; experimentIds: number[] };

export interface ResolvedDatasetInput {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  schema?: string;
  profile?: string;
  tags: KeyValue[];
}

/**
 * Registry changes. Models are addressed by name at the time of the change; the model id and the
 * version number of a new version are chosen before applying, so replay never has to guess them.
 * `storageLocation` is where the version's source resolved to when it was created (a `runs:/` or
 * `models:/` source is resolved once, as MLflow does). Tag and alias writes do not change a model's
 * `last_updated_timestamp` (MLflow's SQL store); the others that carry `now` do.
 */
export type RegistryMutation =
  | { t: 'createRegisteredModel'; modelId: number; name: string; description?: string; tags: KeyValue[]; userId?: string; now: number }
  | { t: 'renameRegisteredModel'; name: string; newName: string; now: number }
  | { t: 'updateRegisteredModel'; name: string; description?: string; now: number }
  | { t: 'deleteRegisteredModel'; name: string }
  | { t: 'setRegisteredModelTag'; name: string; key: string; value: string }
  | { t: 'deleteRegisteredModelTag'; name: string; key: string }
  | {
      t: 'createModelVersion';
      name: string;
      version: number;
      source: string;
      storageLocation: string;
      runId?: string;
      runLink?: string;
      description?: string;
      tags: KeyValue[];
      userId?: string;
      now: number;
    }
  /** A version copied from another MLflow registry (`importMlflow`): its own number, times and status. */
  | {
      t: 'importModelVersion';
      name: string;
      version: number;
      source: string;
      storageLocation: string;
      runId?: string;
      runLink?: string;
      description?: string;
      tags: KeyValue[];
      userId?: string;
      status: string;
      statusMessage?: string;
      creationTime: number;
      lastUpdatedTime: number;
    }
  | { t: 'updateModelVersion'; name: string; version: number; description?: string; now: number }
  | {
      t: 'transitionStage';
      name: string;
      version: number;
      stage: ModelVersionStage;
      /** Move every other version in `stage` to Archived (only for Staging and Production). */
      archiveExisting: boolean;
      userId?: string;
      now: number;
    }
  | { t: 'deleteModelVersion'; name: string; version: number; userId?: string; now: number }
  | { t: 'setModelVersionTag'; name: string; version: number; key: string; value: string }
  | { t: 'deleteModelVersionTag'; name: string; version: number; key: string }
  | { t: 'setAlias'; name: string; alias: string; version: number; userId?: string; now: number }
  | { t: 'deleteAlias'; name: string; alias: string; userId?: string; now: number };

export type Mutation = TrackingMutation | RegistryMutation;

/** Applies one kind of mutation to the database; throws a TrackingError when it must be refused. */
export type Appliers<M extends { t: string }> = { [K in M['t']]: (m: Extract<M, { t: K }>) => void };
