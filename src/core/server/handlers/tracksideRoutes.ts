import { TRACKSIDE_EXTRAS } from '../../../shared/changeEvents';
import { runChildrenJson, runCounts } from '../../store/runTreeQuery';
import { answerSqlRequest } from '../../store/sqlQueryRunner';
import { RESPONDED, type Route, type RouteContext } from '../route';

function sendJsonText(c: RouteContext, json: string): typeof RESPONDED {
  c.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) });
  c.res.end(json);
  return RESPONDED;
}

export const MLFLOW_COMPAT_VERSION = '2.12.2';
export const TRACKSIDE_VERSION = '0.1.0';

/** Trackside's extras under `/api/2.0/trackside/`, announced by `/version`. */
export const tracksideRoutes: Route[] = [
  { method: 'GET', path: 'events', handler: (c) => (c.events.subscribe(c.res), RESPONDED) },
  { method: 'POST', path: 'metrics/sampled', handler: (c) => c.backend.tracking.metrics.sampled(c.body) },
  {
    method: 'POST',
    path: 'metrics/summaries',
    handler: (c) => {
      const ids = Array.isArray(c.body.run_ids) ? c.body.run_ids.map(String) : [];
      return { summaries: c.backend.tracking.metrics.summaries(ids) };
    },
  },
  { method: 'POST', path: 'runs/table', handler: (c) => sendJsonText(c, c.backend.tracking.runsTable(c.body)) },
  { method: 'POST', path: 'runs/children', handler: (c) => sendJsonText(c, runChildrenJson(c.backend.store.db, c.body)) },
  { method: 'GET', path: 'experiments/run-counts', handler: (c) => runCounts(c.backend.store.db, c.body) },
  /** Read-only SQL over the system.ml.* views, on a copy of the database in a worker (`sqlQueryRunner.ts`). */
  { method: 'POST', path: 'sql', handler: (c) => answerSqlRequest(c.backend.store, c.body) },
];

/** `/health` and `/version`: answered without a token (no data in them). */
export const openRoutes: Route[] = [
  {
    method: 'GET',
    path: 'health',
    handler: (c) => {
      c.res.writeHead(200, { 'Content-Type': 'text/plain' });
      c.res.end('OK');
      return RESPONDED;
    },
  },
  {
    method: 'GET',
    path: 'version',
    handler: (c) => {
      const extras = TRACKSIDE_EXTRAS.join(',');
      const wantsJson = (c.req.headers.accept ?? '').includes('application/json');
      const body = wantsJson
        ? JSON.stringify({ mlflow: MLFLOW_COMPAT_VERSION, trackside: TRACKSIDE_VERSION, extras: [...TRACKSIDE_EXTRAS] })
        : MLFLOW_COMPAT_VERSION;
      c.res.writeHead(200, {
        'Content-Type': wantsJson ? 'application/json' : 'text/plain',
        'X-Trackside-Version': TRACKSIDE_VERSION,
        'X-Trackside-Extras': extras,
      });
      c.res.end(body);
      return RESPONDED;
    },
  },
];
