import type { HttpMethod } from '../../../src/core/server/route';
import { trackingRouteGroups } from '../../../src/core/server/trackingServer';

/** The ids the fuzzer's valid requests refer to (created before it starts). */
export interface FuzzIds {
  experimentId: string;
  /** A run the fuzzer logs to, reads and updates. */
  runId: string;
  /** A run the fuzzer may delete and restore. */
  victimRunId: string;
  /** An experiment the fuzzer may delete, restore and rename. */
  victimExperimentId: string;
}

/** One mounted route: its full path (prefix + path, `*` kept for wildcards) and method. */
export interface MountedRoute {
  method: HttpMethod;
  fullPath: string;
  /** The route's own path below its group prefix (the template key). */
  path: string;
  wildcard: boolean;
}

/** The model registry's routes: tested by the registry's own compatibility tests, not here. */
const REGISTRY_PATH = /^(registered-models|model-versions|models)\//;

/** Every tracking route the server mounts, under every prefix, from `trackingRouteGroups()`. */
export function mountedRoutes(): MountedRoute[] {
  return trackingRouteGroups().flatMap((group) =>
    group.prefixes.flatMap((prefix) =>
      group.routes.map((route) => ({
        method: route.method,
        fullPath: prefix + route.path,
        path: route.path,
        wildcard: route.path.endsWith('/*'),
      })),
    ),
  ).filter((route) => !REGISTRY_PATH.test(route.path));
}

/** A valid request for a route: its body (POST…) or query (GET), and the rest of a wildcard path. */
export interface ValidRequest {
  fields: Record<string, unknown>;
  rest?: string;
  /** The raw body of an upload. */
  raw?: string;
}

/** A valid request for each route, keyed `METHOD path` (path below the group prefix). */
export function validRequests(ids: FuzzIds): Record<string, ValidRequest> {
  const { experimentId, runId, victimRunId, victimExperimentId } = ids;
  const artifactRest = `${experimentId}/${runId}/artifacts/fuzz/file.txt`;
  const metric = { key: 'fuzz_metric', value: 0.5, timestamp: 1_700_000_000_000, step: 3 };
  return {
    'POST experiments/create': { fields: { name: 'fuzz experiment', artifact_location: '', tags: [{ key: 'k', value: 'v' }] } },
    'GET experiments/get': { fields: { experiment_id: experimentId } },
    'GET experiments/get-by-name': { fields: { experiment_name: 'fuzz base' } },
    'POST experiments/search': { fields: { max_results: 10, filter: "name LIKE 'fuzz%'", order_by: ['name ASC'], view_type: 'ALL' } },
    'GET experiments/search': { fields: { max_results: 10, filter: "name = 'fuzz base'", order_by: ['creation_time DESC'], view_type: 'ALL' } },
    'POST experiments/update': { fields: { experiment_id: victimExperimentId, new_name: 'fuzz victim renamed' } },
    'POST experiments/delete': { fields: { experiment_id: victimExperimentId } },
    'POST experiments/restore': { fields: { experiment_id: victimExperimentId } },
    'POST experiments/set-experiment-tag': { fields: { experiment_id: experimentId, key: 'fuzz.tag', value: 'v' } },
    'POST runs/create': { fields: { experiment_id: experimentId, run_name: 'fuzz run', start_time: 1_700_000_000_000, user_id: 'u', tags: [{ key: 't', value: 'v' }] } },
    'GET runs/get': { fields: { run_id: runId, run_uuid: runId } },
    'POST runs/update': { fields: { run_id: runId, run_uuid: runId, status: 'RUNNING', end_time: 1_700_000_000_500, run_name: 'fuzz run' } },
    'POST runs/delete': { fields: { run_id: victimRunId } },
    'POST runs/restore': { fields: { run_id: victimRunId } },
    'POST runs/log-metric': { fields: { run_id: runId, run_uuid: runId, ...metric } },
    'POST runs/log-parameter': { fields: { run_id: runId, run_uuid: runId, key: 'fuzz_param', value: 'fixed' } },
    'POST runs/set-tag': { fields: { run_id: runId, run_uuid: runId, key: 'fuzz_tag', value: 'v' } },
    'POST runs/delete-tag': { fields: { run_id: runId, key: 'fuzz_tag' } },
    'POST runs/log-batch': {
      fields: { run_id: runId, metrics: [metric, { ...metric, value: 'NaN', step: 4 }], params: [{ key: 'fuzz_param', value: 'fixed' }], tags: [{ key: 'b', value: 'c' }] },
    },
    'POST runs/log-inputs': {
      fields: {
        run_id: runId,
        datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'train' }], dataset: { name: 'd', digest: 'abc', source_type: 'local', source: '{}', schema: '{}', profile: '{}' } }],
      },
    },
    'POST runs/search': {
      fields: { experiment_ids: [experimentId], filter: "metrics.fuzz_metric > 0 and params.fuzz_param = 'fixed'", max_results: 5, order_by: ['metrics.fuzz_metric DESC'], run_view_type: 'ALL' },
    },
    'POST runs/log-model': { fields: { run_id: runId, model_json: JSON.stringify({ artifact_path: 'model', flavors: { python_function: {} } }) } },
    'GET metrics/get-history': { fields: { run_id: runId, metric_key: 'fuzz_metric', max_results: 2 } },
    'GET metrics/get-history-bulk-interval': { fields: { run_ids: [runId, victimRunId], metric_key: 'fuzz_metric', start_step: 0, end_step: 10, max_results: 5 } },
    'GET artifacts/list': { fields: { run_id: runId, path: 'fuzz' } },
    'GET artifacts': { fields: { path: `${experimentId}/${runId}/artifacts/fuzz` } },
    'GET artifacts/*': { fields: {}, rest: artifactRest },
    'PUT artifacts/*': { fields: {}, rest: artifactRest, raw: 'fuzz artifact' },
    'DELETE artifacts/*': { fields: {}, rest: `${experimentId}/${runId}/artifacts/fuzz/other.txt` },
    'POST mpu/create/*': { fields: { path: 'a.bin', num_parts: 2 }, rest: artifactRest },
    'POST mpu/complete/*': { fields: { path: 'a.bin', upload_id: 'u', parts: [{ part_number: 1, etag: 'e' }] }, rest: artifactRest },
    'POST mpu/abort/*': { fields: { path: 'a.bin', upload_id: 'u' }, rest: artifactRest },
    'GET events': { fields: {} },
    'POST metrics/sampled': { fields: { run_ids: [runId], keys: ['fuzz_metric'], max_buckets: 10, start_step: 0, end_step: 100 } },
    'POST metrics/summaries': { fields: { run_ids: [runId] } },
    'POST runs/table': { fields: { experiment_ids: [experimentId], filter: "metrics.fuzz_metric >= 0 or tags.b = 'c'", order_by: ['start_time DESC'], max_results: 10 } },
    'POST runs/children': { fields: { experiment_id: experimentId, view_type: 'ALL', key_metric: 'fuzz_metric', max_results: 5, filter: '' } },
    'GET experiments/run-counts': { fields: { view_type: 'ALL' } },
    'POST import': { fields: { source: '/nonexistent-trackside-fuzz/mlflow.db', artifacts: false } },
    'POST import/cancel': { fields: { import_id: 'no-such-import' } },
    'POST sql': { fields: { query: 'SELECT 1 AS one', max_rows: 10, timeout_ms: 2000 } },
    'GET get-artifact': { fields: { path: 'fuzz/file.txt', run_uuid: runId } },
    'GET health': { fields: {} },
    'GET version': { fields: {} },
  };
}

/** Routes whose 200 answer is not one JSON document (downloads, plain text, event and JSON-lines streams). */
export const NON_JSON_ROUTES = new Set(['GET artifacts/*', 'GET get-artifact', 'GET health', 'GET version', 'GET events', 'POST import']);
