/** Where an import is, for a progress bar: `done` of `total` in the current phase. */
export interface ImportProgress {
  phase: 'reading' | 'experiments' | 'runs' | 'models' | 'done';
  done: number;
  total: number;
  message: string;
}

export interface ImportCounts {
  imported: number;
  /** Already in this store from an earlier import of the same source, or refused (see `skipped`). */
  skipped: number;
}

/** What an import did; every reason is a sentence a person can act on. */
export interface ImportSummary {
  source: { kind: 'sqlite' | 'file'; location: string; description: string };
  experiments: ImportCounts;
  runs: ImportCounts;
  /** Metric points written. */
  metrics: number;
  params: number;
  /** Run tags written (experiment tags are not counted). */
  tags: number;
  /** Dataset inputs written. */
  inputs: number;
  models: ImportCounts;
  versions: ImportCounts;
  artifacts: { copied: number; referenced: number; missing: number };
  /** What was left out or changed on the way in, one entry per thing. */
  skipped: { what: string; why: string }[];
  /** Remarks about the whole source (renamed experiments, parts Trackside does not store). */
  notes: string[];
}

export function emptySummary(source: ImportSummary['source']): ImportSummary {
  return {
    source,
    experiments: { imported: 0, skipped: 0 },
    runs: { imported: 0, skipped: 0 },
    metrics: 0,
    params: 0,
    tags: 0,
    inputs: 0,
    models: { imported: 0, skipped: 0 },
    versions: { imported: 0, skipped: 0 },
    artifacts: { copied: 0, referenced: 0, missing: 0 },
    skipped: [],
    notes: [],
  };
}

/** Thrown when the import's AbortSignal fires; `summary` tells what was imported before it. */
export class ImportAbortedError extends Error {
  constructor(readonly summary: ImportSummary) {
    super(
      `Import stopped: ${summary.runs.imported} run(s) and ${summary.experiments.imported} experiment(s) were imported before it ` +
        'was cancelled. Importing the same source again continues where it stopped.',
    );
    this.name = 'AbortError';
  }
}
