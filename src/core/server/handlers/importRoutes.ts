import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ServerResponse } from 'node:http';
import { ImportAbortedError, type ImportProgress, type ImportSummary } from '../../interop/importSummary';
import { importMlflow, sourcePath } from '../../interop/mlflowImporter';
import { MlflowImportError } from '../../interop/mlflowSource';
import type { StoreBackend } from '../../store/storeBackend';
import { TrackingError, invalidParameter, notFound } from '../../store/trackingError';
import { RESPONDED, type Route, type RouteContext } from '../route';

/**
 * `POST /api/2.0/trackside/import {source, artifacts}`: imports an MLflow store (an `mlflow.db`, a
 * `sqlite:///…` URI, an `mlruns/` folder or a project folder holding one) into the store this
 * server owns. The import runs here because it needs the store itself: it keeps MLflow's run ids
 * and version numbers, which MLflow's REST API cannot set. The answer is a stream of JSON lines
 * (`application/x-ndjson`), one object a line:
 *
 *   {"type":"started","import_id":"…"}
 *   {"type":"progress","phase":"runs","done":3,"total":12,"message":"…"}   (at most ~10 a second)
 *   {"type":"heartbeat"}                                                     (every 10 s while quiet)
 *   then exactly one of
 *   {"type":"summary","summary":{…ImportSummary}}
 *   {"type":"aborted","summary":{…},"message":"…"}
 *   {"type":"error","error_code":"…","message":"…"}
 *
 * `POST /api/2.0/trackside/import/cancel {import_id}` stops it between runs (the stream then ends
 * with `aborted` and the summary so far); a client that drops the connection stops it too.
 *
 * Security: `source` names files on the machine this server runs on, and the server reads them.
 * That machine is the person's own: the server is the loopback engine of their VS Code window (or
 * their `trackside server`), bound to 127.0.0.1, behind the bearer token, the Host check and the
 * refusal of browser Origins (`trackingServer.ts`). So only local paths are accepted — absolute
 * paths and `file:` / `sqlite:` URIs of them; no remote URIs, no network shares, no relative
 * paths (they would depend on the server's working folder) — and only one import runs per store.
 */

/** Paths of at most this many characters. */
const MAX_SOURCE_LENGTH = 4096;
/** A progress line at most this often (phase changes and the last step of a phase always go out). */
const PROGRESS_INTERVAL_MS = 100;
const HEARTBEAT_MS = 10_000;

interface RunningImport {
  id: string;
  source: string;
  controller: AbortController;
}

/** The import running into each store (one at a time: two would race for the same run ids). */
const running = new WeakMap<StoreBackend, RunningImport>();

/** The line objects of the import stream. */
export type ImportStreamLine =
  | { type: 'started'; import_id: string }
  | ({ type: 'progress' } & ImportProgress)
  | { type: 'heartbeat' }
  | { type: 'summary'; summary: ImportSummary }
  | { type: 'aborted'; summary: ImportSummary; message: string }
  | { type: 'error'; error_code: string; message: string };

/**
 * The local file or folder a request's `source` names, absolute; refuses remote URIs, network
 * shares and relative paths with INVALID_PARAMETER_VALUE, and a path that does not exist with
 * RESOURCE_DOES_NOT_EXIST.
 */
export function localImportSource(source: unknown): string {
  if (typeof source !== 'string' || source.trim() === '') {
    throw invalidParameter("Missing value for required parameter 'source': give the absolute path of an mlflow.db file or an mlruns folder.");
  }
  const text = source.trim();
  if (text.length > MAX_SOURCE_LENGTH) throw invalidParameter(`The source path is longer than ${MAX_SOURCE_LENGTH} characters.`);
  if (text.includes('\0')) throw invalidParameter('The source path contains a NUL character.');
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'file' && scheme !== 'sqlite') {
    throw invalidParameter(
      `'${text.slice(0, 200)}' is not a local path: the import reads an MLflow store on this machine (an mlflow.db file or an mlruns folder). ` +
        'To copy from an MLflow server, run `trackside push` against it instead, or export its database first.',
    );
  }
  if (/^(\\\\|\/\/)[^/\\]/.test(text) || /^file:\/\/[^/]/i.test(text)) {
    throw invalidParameter(`'${text.slice(0, 200)}' is on a network share: copy the MLflow store to this machine and import the copy.`);
  }
  if (scheme === undefined && !path.isAbsolute(text)) {
    throw invalidParameter(`'${text.slice(0, 200)}' is a relative path: give the absolute path of the mlflow.db file or the mlruns folder.`);
  }
  if (scheme === 'sqlite' && !/^sqlite:\/\/\/(\/|[a-z]:)/i.test(text)) {
    throw invalidParameter(`'${text.slice(0, 200)}' names a relative database path: write sqlite:////absolute/path/mlflow.db.`);
  }
  let location: string;
  try {
    location = sourcePath(text);
  } catch (e) {
    throw invalidParameter(`'${text.slice(0, 200)}' is not a valid path or URI: ${(e as Error).message}`);
  }
  if (!fs.existsSync(location)) {
    throw notFound(`${location} does not exist on this machine. Give the path of an mlflow.db file or an mlruns folder.`);
  }
  return location;
}

/** `artifacts`: `copy` (the default) or `reference`. */
function artifactMode(value: unknown): 'copy' | 'reference' {
  if (value === undefined || value === null || value === '') return 'copy';
  if (value === 'copy' || value === 'reference') return value;
  throw invalidParameter(`Invalid value ${JSON.stringify(value)} for parameter 'artifacts': use 'copy' or 'reference'.`);
}

function writeLine(res: ServerResponse, line: ImportStreamLine): void {
  if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify(line)}\n`);
}

/** What an import's failure becomes on the stream: MLflow's error code and a sentence. */
function errorLine(e: unknown): ImportStreamLine {
  if (e instanceof TrackingError) return { type: 'error', error_code: e.code, message: e.message };
  if (e instanceof MlflowImportError) return { type: 'error', error_code: 'INVALID_PARAMETER_VALUE', message: e.message };
  return { type: 'error', error_code: 'INTERNAL_ERROR', message: `The import failed: ${(e as Error)?.message ?? String(e)}` };
}

async function startImport(c: RouteContext): Promise<typeof RESPONDED> {
  const location = localImportSource(c.body.source);
  const artifacts = artifactMode(c.body.artifacts);
  const busy = running.get(c.backend);
  if (busy) {
    throw new TrackingError(
      'RESOURCE_CONFLICT',
      `An import of ${busy.source} into this store is running: wait for it to finish (or cancel it), then import again.`,
    );
  }
  const job: RunningImport = { id: crypto.randomUUID(), source: location, controller: new AbortController() };
  running.set(c.backend, job);
  const { res } = c;
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
  res.on('close', () => {
    if (!res.writableFinished) job.controller.abort(); // the client went away: stop between runs
  });
  writeLine(res, { type: 'started', import_id: job.id });
  let lastWrite = Date.now();
  let lastPhase = '';
  const heartbeat = setInterval(() => {
    if (Date.now() - lastWrite >= HEARTBEAT_MS) {
      lastWrite = Date.now();
      writeLine(res, { type: 'heartbeat' });
    }
  }, HEARTBEAT_MS / 2);
  heartbeat.unref();
  const onProgress = (progress: ImportProgress): void => {
    const now = Date.now();
    const due = progress.phase !== lastPhase || progress.done >= progress.total || now - lastWrite >= PROGRESS_INTERVAL_MS;
    if (!due) return;
    lastPhase = progress.phase;
    lastWrite = now;
    writeLine(res, { type: 'progress', ...progress });
  };
  try {
    const summary = await importMlflow(location, c.backend, { artifacts, onProgress, signal: job.controller.signal });
    writeLine(res, { type: 'summary', summary });
  } catch (e) {
    writeLine(res, e instanceof ImportAbortedError ? { type: 'aborted', summary: e.summary, message: e.message } : errorLine(e));
  } finally {
    clearInterval(heartbeat);
    if (running.get(c.backend) === job) running.delete(c.backend);
    res.end();
  }
  return RESPONDED;
}

function cancelImport(c: RouteContext): Record<string, never> {
  const id = c.body.import_id;
  if (typeof id !== 'string' || id === '') throw invalidParameter("Missing value for required parameter 'import_id'.");
  const job = running.get(c.backend);
  if (!job || job.id !== id) throw notFound(`No import ${id} is running in this store (it may have finished already).`);
  job.controller.abort();
  return {};
}

/** The import extra's routes, under `/api/2.0/trackside/`. */
export const importRoutes: Route[] = [
  { method: 'POST', path: 'import', handler: startImport },
  { method: 'POST', path: 'import/cancel', handler: cancelImport },
];
