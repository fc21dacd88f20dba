import type { TrackingClient } from '../client/trackingClient';
import { TrackingClientError } from '../client/trackingClientError';
import type { KeyValue, Run } from '../../shared/entities';
import { PUSH_TAGS, type PushProgress, type PushSummary } from './pushSummary';

/** What one push shares between its phases. */
export interface PushContext {
  /** The local store's server. */
  source: TrackingClient;
  /** The MLflow tracking server pushed to. */
  target: TrackingClient;
  targetKey: string;
  summary: PushSummary;
  signal?: AbortSignal;
  progress(progress: PushProgress): void;
  /** Local run id → the target's run id, for runs pushed or found so far. */
  remoteRunIds: Map<string, string>;
  /** Both servers count metric points per series (Trackside's `metric-summaries` extra). */
  countsKnown: boolean;
}

/** Sends one write to the target: stops first when the push was cancelled, and counts it. */
export async function targetWrite<T>(ctx: PushContext, send: () => Promise<T>, requests = 1): Promise<T> {
  ctx.signal?.throwIfAborted();
  const result = await send();
  ctx.summary.writes += requests;
  return result;
}

/** A tag's value in a list, or undefined. */
export function tagValue(tags: readonly KeyValue[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.key === key)?.value;
}

/** Tags as they travel to a target: without the ones a push records locally. */
export function pushableTags(tags: readonly KeyValue[] | undefined): KeyValue[] {
  return (tags ?? []).filter((t) => !t.key.startsWith(PUSH_TAGS.localPrefix));
}

/** The entries of `wanted` the target lacks or holds with another value. */
export function changedTags(wanted: readonly KeyValue[], current: readonly KeyValue[] | undefined): KeyValue[] {
  const have = new Map((current ?? []).map((t) => [t.key, t.value]));
  return wanted.filter((t) => have.get(t.key) !== t.value);
}

/** True for answers meaning "not there" (a missing run, model or version). */
export function isMissing(e: unknown): boolean {
  return e instanceof TrackingClientError && e.isNotFound && e.errorCode !== 'ENDPOINT_NOT_FOUND';
}

/** True when the target refused one thing (4xx other than auth and rate limits): report it and go on. */
export function isRefusal(e: unknown): e is TrackingClientError {
  return e instanceof TrackingClientError && e.status >= 400 && e.status < 500 && ![401, 403, 429].includes(e.status);
}

/** The target's run id recorded on a local run, if any. */
export function recordedRemoteRun(ctx: PushContext, run: Run): string | undefined {
  return tagValue(run.data.tags, PUSH_TAGS.runId(ctx.targetKey));
}

/** The local parent of a nested run (`mlflow.parentRunId`). */
export function parentOf(run: Run): string | undefined {
  return tagValue(run.data.tags, 'mlflow.parentRunId') || undefined;
}
