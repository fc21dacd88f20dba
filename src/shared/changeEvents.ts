/**
 * Events on Trackside's change stream (`GET /api/2.0/trackside/events`, server-sent events).
 * Each names what changed; clients re-read what they show. Events are coalesced (≤ 10 a second).
 */
export type ChangeEvent =
  | { type: 'experiments'; experimentIds: string[] }
  | { type: 'runs'; runIds: string[]; experimentIds: string[] }
  /** Metrics were logged: run id → metric keys. */
  | { type: 'metrics'; runs: Record<string, string[]> }
  | { type: 'models'; names: string[] };

/** What `/version` announces when asked for JSON. */
export interface ServerVersion {
  mlflow: string;
  trackside: string;
  extras: string[];
}

export const TRACKSIDE_EXTRAS = ['events', 'sampled-history', 'sampled-packed', 'runs-table', 'run-tree', 'metric-summaries', 'registry-history', 'sql', 'import'] as const;
