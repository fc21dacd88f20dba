import type { KeyValue } from '../../shared/entities';

/** MLflow's log-batch limits (mlflow/utils/validation.py). */
export const BATCH_LIMITS = {
  metrics: 1000,
  params: 100,
  tags: 100,
  total: 1000,
  /** The server refuses bodies over 1,000,000 bytes; stay clear of it. */
  bytes: 900_000,
} as const;

export interface WireMetric {
  key: string;
  value: number | string;
  timestamp: number;
  step: number;
}

export interface BatchChunk {
  metrics: WireMetric[];
  params: KeyValue[];
  tags: KeyValue[];
}

type Kind = keyof BatchChunk;

/** Bytes an entity adds to the JSON body (its JSON plus a comma), close enough to budget by. */
function entityBytes(entity: WireMetric | KeyValue): number {
  return Buffer.byteLength(JSON.stringify(entity)) + 1;
}

/**
 * Splits one batch into requests MLflow accepts: at most 1000 metrics, 100 params, 100 tags and
 * 1000 entities each, and bodies under ~900 kB. Params and tags go first (as MLflow's client
 * sends them), then metrics; the order inside each kind is kept, so steps stay in order. An empty
 * batch gives no chunk.
 */
export function splitBatch(batch: BatchChunk, limits: typeof BATCH_LIMITS = BATCH_LIMITS): BatchChunk[] {
  const chunks: BatchChunk[] = [];
  let current: BatchChunk = { metrics: [], params: [], tags: [] };
  let bytes = 64;
  const flush = (): void => {
    chunks.push(current);
    current = { metrics: [], params: [], tags: [] };
    bytes = 64;
  };
  const add = (kind: Kind, entity: WireMetric | KeyValue): void => {
    const size = entityBytes(entity);
    const count = current.metrics.length + current.params.length + current.tags.length;
    const full = current[kind].length >= limits[kind] || count >= limits.total || (count > 0 && bytes + size > limits.bytes);
    if (full) flush();
    (current[kind] as (WireMetric | KeyValue)[]).push(entity);
    bytes += size;
  };
  for (const param of batch.params) add('params', param);
  for (const tag of batch.tags) add('tags', tag);
  for (const metric of batch.metrics) add('metrics', metric);
  if (current.metrics.length + current.params.length + current.tags.length > 0) flush();
  return chunks;
}
