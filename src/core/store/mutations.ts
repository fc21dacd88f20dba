import type { KeyValue, RunStatus } from '../../shared/entities';

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

export type RegistryMutation =
  | { t: 'createRegisteredModel'; name: string; description?: string; tags: KeyValue[]; userId?: string; now: number }
  | { t: 'renameRegisteredModel'; name: string; newName: string; now: number }
  | { t: 'updateRegisteredModel'; name: string; description: string; now: number }
  | { t: 'deleteRegisteredModel'; name: string }
  | { t: 'setRegisteredModelTag'; name: string; key: string; value: string; now: number }
  | { t: 'deleteRegisteredModelTag'; name: string; key: string; now: number }
  | {
      t: 'createModelVersion';
      name: string;
      source: string;
      runId?: string;
      runLink?: string;
      description?: string;
      tags: KeyValue[];
      userId?: string;
      now: number;
    }
  | { t: 'updateModelVersion'; name: string; version: number; description: string; now: number }
  | { t: 'transitionStage'; name: string; version: number; stage: string; archiveExisting: boolean; userId?: string; now: number }
  | { t: 'deleteModelVersion'; name: string; version: number; now: number }
  | { t: 'setModelVersionTag'; name: string; version: number; key: string; value: string; now: number }
  | { t: 'deleteModelVersionTag'; name: string; version: number; key: string; now: number }
  | { t: 'setAlias'; name: string; alias: string; version: number; userId?: string; now: number }
  | { t: 'deleteAlias'; name: string; alias: string; userId?: string; now: number };

export type Mutation = TrackingMutation | RegistryMutation;

/** Applies one kind of mutation to the database; throws a TrackingError when it must be refused. */
export type Appliers<M extends { t: string }> = { [K in M['t']]: (m: Extract<M, { t: K }>) => void };
