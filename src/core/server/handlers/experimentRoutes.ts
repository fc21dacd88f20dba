import { message, type Route } from '../route';

/** MLflow's experiment endpoints. */
export const experimentRoutes: Route[] = [
  { method: 'POST', path: 'experiments/create', write: true, handler: (c) => c.backend.tracking.createExperiment(c.body) },
  { method: 'GET', path: 'experiments/get', handler: (c) => ({ experiment: c.backend.tracking.getExperiment(c.body.experiment_id) }) },
  {
    method: 'GET',
    path: 'experiments/get-by-name',
    handler: (c) => ({ experiment: c.backend.tracking.getExperimentByName(c.body.experiment_name) }),
  },
  { method: 'POST', path: 'experiments/search', handler: (c) => message(c.backend.tracking.searchExperiments(c.body)) },
  {
    method: 'GET',
    path: 'experiments/search',
    arrays: ['order_by'],
    handler: (c) => message(c.backend.tracking.searchExperiments(c.body)),
  },
  { method: 'POST', path: 'experiments/update', write: true, handler: (c) => (c.backend.tracking.updateExperiment(c.body), {}) },
  { method: 'POST', path: 'experiments/delete', write: true, handler: (c) => (c.backend.tracking.deleteExperiment(c.body.experiment_id), {}) },
  { method: 'POST', path: 'experiments/restore', write: true, handler: (c) => (c.backend.tracking.restoreExperiment(c.body.experiment_id), {}) },
  {
    method: 'POST',
    path: 'experiments/set-experiment-tag',
    write: true,
    handler: (c) => (c.backend.tracking.setExperimentTag(c.body), {}),
  },
];
