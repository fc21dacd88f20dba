import { invalidParameter } from '../../store/trackingError';
import { LIMITS } from '../../store/validation';
import { message, type Route } from '../route';

/** MLflow's run endpoints. */
export const runRoutes: Route[] = [
  { method: 'POST', path: 'runs/create', write: true, handler: (c) => ({ run: c.backend.tracking.createRun(c.body) }) },
  { method: 'GET', path: 'runs/get', handler: (c) => ({ run: c.backend.tracking.getRun(c.body) }) },
  { method: 'POST', path: 'runs/update', write: true, handler: (c) => ({ run_info: c.backend.tracking.updateRun(c.body) }) },
  { method: 'POST', path: 'runs/delete', write: true, handler: (c) => (c.backend.tracking.deleteRun(c.body.run_id), {}) },
  { method: 'POST', path: 'runs/restore', write: true, handler: (c) => (c.backend.tracking.restoreRun(c.body.run_id), {}) },
  { method: 'POST', path: 'runs/log-metric', write: true, handler: (c) => (c.backend.tracking.logMetric(c.body), {}) },
  { method: 'POST', path: 'runs/log-parameter', write: true, handler: (c) => (c.backend.tracking.logParam(c.body), {}) },
  { method: 'POST', path: 'runs/set-tag', write: true, handler: (c) => (c.backend.tracking.setTag(c.body), {}) },
  { method: 'POST', path: 'runs/delete-tag', write: true, handler: (c) => (c.backend.tracking.deleteTag(c.body), {}) },
  {
    method: 'POST',
    path: 'runs/log-batch',
    write: true,
    handler: (c) => {
      if (c.bodyBytes > LIMITS.batchRequestBytes) {
        throw invalidParameter(
          `Batched logging API requests must be at most ${LIMITS.batchRequestBytes} bytes, got a request of size ${c.bodyBytes}.`,
        );
      }
      c.backend.tracking.logBatch(c.body);
      return {};
    },
  },
  { method: 'POST', path: 'runs/log-inputs', write: true, handler: (c) => (c.backend.tracking.logInputs(c.body), {}) },
  { method: 'POST', path: 'runs/search', handler: (c) => message(c.backend.tracking.searchRuns(c.body)) },
  {
    method: 'POST',
    path: 'runs/log-model',
    write: true,
    handler: (c) => {
      // MLflow records the model's JSON in the `mlflow.log-model.history` tag.
      const runId = String(c.body.run_id ?? '');
      const modelJson = c.body.model_json;
      if (typeof modelJson !== 'string' || modelJson === '') throw invalidParameter("Missing value for required parameter 'model_json'.");
      let model: unknown;
      try {
        model = JSON.parse(modelJson);
      } catch {
        throw invalidParameter('model_json must be a JSON document.');
      }
      const existing = c.backend.tracking.getRun({ run_id: runId }).data.tags?.find((t) => t.key === 'mlflow.log-model.history')?.value;
      let history: unknown = [];
      try {
        history = existing ? JSON.parse(existing) : [];
      } catch {
        history = undefined;
      }
      if (!Array.isArray(history)) {
        throw invalidParameter(`The run's 'mlflow.log-model.history' tag is not a JSON list: it cannot record another model.`);
      }
      history.push(model);
      // The tag is a run tag: a longer value would be truncated and no longer parse (MLflow then fails with a 500).
      const value = JSON.stringify(history);
      if (value.length > LIMITS.tagValue) {
        throw invalidParameter(
          `Logging this model would make the run's 'mlflow.log-model.history' tag ${value.length} characters long, ` +
            `over the ${LIMITS.tagValue}-character limit of tag values. Log further models to another run.`,
        );
      }
      c.backend.tracking.setTag({ run_id: runId, key: 'mlflow.log-model.history', value });
      return {};
    },
  },
];

/** MLflow's metric history endpoints. */
export const metricRoutes: Route[] = [
  { method: 'GET', path: 'metrics/get-history', handler: (c) => message(c.backend.tracking.metrics.getHistory(c.body)) },
  {
    method: 'GET',
    path: 'metrics/get-history-bulk-interval',
    arrays: ['run_ids'],
    handler: (c) => message(c.backend.tracking.metrics.getHistoryBulkInterval(c.body)),
  },
];
