/** Where a push is, for a progress bar: `done` of `total` in the current phase. */
export interface PushProgress {
  phase: 'planning' | 'experiments' | 'runs' | 'models' | 'done';
  done: number;
  total: number;
  message: string;
}

/** What a push did; every reason is a sentence a person can act on. */
export interface PushSummary {
  /** The target's tracking URI. */
  target: string;
  /** The key naming the target in the tags a push records (`trackside.push.<key>.run_id`). */
  targetKey: string;
  experiments: { created: number; existing: number };
  runs: { created: number; updated: number; unchanged: number; failed: number };
  /** Metric points, params, run tags and dataset inputs sent. */
  metrics: number;
  params: number;
  tags: number;
  inputs: number;
  artifacts: { uploaded: number; bytes: number; unreachable: number };
  models: { created: number; existing: number };
  versions: { created: number; updated: number; unchanged: number };
  /** Requests that changed something on the target (creates, batches, uploads, updates). */
  writes: number;
  /** What was left out, one entry per thing. */
  skipped: { what: string; why: string }[];
  notes: string[];
}

export function emptyPushSummary(target: string, targetKey: string): PushSummary {
  return {
    target,
    targetKey,
    experiments: { created: 0, existing: 0 },
    runs: { created: 0, updated: 0, unchanged: 0, failed: 0 },
    metrics: 0,
    params: 0,
    tags: 0,
    inputs: 0,
    artifacts: { uploaded: 0, bytes: 0, unreachable: 0 },
    models: { created: 0, existing: 0 },
    versions: { created: 0, updated: 0, unchanged: 0 },
    writes: 0,
    skipped: [],
    notes: [],
  };
}

/** Thrown when the push's AbortSignal fires; `summary` tells what was sent before it. */
export class PushAbortedError extends Error {
  constructor(readonly summary: PushSummary) {
    super(
      `Push stopped: ${summary.runs.created} run(s) were created and ${summary.runs.updated} updated on ${summary.target} before it was ` +
        'cancelled. Pushing again continues where it stopped.',
    );
    this.name = 'AbortError';
  }
}

/** Tags a push records (on the local side: where a thing went; on the target: where it came from). */
export const PUSH_TAGS = {
  /** On the local run: `trackside.push.<target key>.run_id` = the target's run id. */
  runId: (targetKey: string): string => `trackside.push.${targetKey}.run_id`,
  /** On the local model version: `trackside.push.<target key>.version` = the target's version number. */
  version: (targetKey: string): string => `trackside.push.${targetKey}.version`,
  /** Every tag a push records locally starts with this (never sent to a target). */
  localPrefix: 'trackside.push.',
  /** On the target's run: the local run id it was pushed from. */
  sourceRunId: 'trackside.source_run_id',
  /** On the target's model version: the local version number it was pushed from. */
  sourceVersion: 'trackside.source_version',
} as const;

/**
 * The target's name inside tag keys: host, port and path of its URI in the characters MLflow
 * allows in tag names (`https://mlflow.example.com:8443/team` → `mlflow.example.com_8443_team`).
 */
export function targetKeyOf(trackingUri: string): string {
  const url = new URL(trackingUri);
  const parts = [url.hostname, url.port, url.pathname.replace(/^\/+|\/+$/g, '')].filter(Boolean).join('_');
  return parts.toLowerCase().replace(/[^a-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '') || 'target';
}
