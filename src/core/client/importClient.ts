import type { IncomingMessage } from 'node:http';
import { ImportAbortedError, type ImportProgress, type ImportSummary } from '../interop/importSummary';
import { HttpTransport } from './httpTransport';
import type { TrackingClient } from './trackingClient';
import { TrackingClientError } from './trackingClientError';

export interface StoreImportRequest {
  /** The absolute path (or `file:` / `sqlite:` URI) of an mlflow.db file, an mlruns folder or a project folder holding one. */
  source: string;
  /** `copy` local artifact folders into the store, or `reference` them where they are. */
  artifacts: 'copy' | 'reference';
  onProgress?(progress: ImportProgress): void;
  /** Cancels the import between runs; the promise then rejects with ImportAbortedError (with the summary so far). */
  signal?: AbortSignal;
}

const IMPORT_PATH = '/api/2.0/trackside/import';
/** The stream may be quiet this long (the server sends a heartbeat every 10 s while it works). */
const STALL_MS = 5 * 60_000;
/** How long a cancelled import may take to stop and answer its summary before the connection is dropped. */
const CANCEL_GRACE_MS = 30_000;

interface StreamLine {
  type: string;
  import_id?: string;
  summary?: ImportSummary;
  message?: string;
  error_code?: string;
  phase?: ImportProgress['phase'];
  done?: number;
  total?: number;
}

/**
 * Imports an MLflow store into the Trackside store behind `client`, inside the server that owns
 * it (`POST /api/2.0/trackside/import`, whose answer streams progress as JSON lines and ends with
 * the summary). The path is read on the server's machine: this is for the local engine, which
 * runs on this machine. Resolves with the summary; rejects with ImportAbortedError when `signal`
 * fires (the server is asked to stop and answers what it had imported), NOT_IMPLEMENTED when the
 * server is not a Trackside that imports, and the server's error otherwise (a path that is not an
 * MLflow store is INVALID_PARAMETER_VALUE, one that does not exist RESOURCE_DOES_NOT_EXIST).
 */
export async function importIntoStore(client: TrackingClient, request: StoreImportRequest): Promise<ImportSummary> {
  request.signal?.throwIfAborted();
  const http = new HttpTransport({ trackingUri: client.trackingUri, token: client.token, maxRetries: 0, timeoutMs: STALL_MS, userAgent: 'trackside-client' });
  try {
    let answer;
    try {
      answer = await http.request('POST', IMPORT_PATH, { json: { source: request.source, artifacts: request.artifacts }, idempotent: false, signal: request.signal }, true);
    } catch (e) {
      if (e instanceof TrackingClientError && (e.errorCode === 'ENDPOINT_NOT_FOUND' || (e.status === 404 && e.errorCode !== 'RESOURCE_DOES_NOT_EXIST'))) {
        throw new TrackingClientError(
          e.status,
          'NOT_IMPLEMENTED',
          `The server at ${client.trackingUri} cannot import MLflow stores (it is plain MLflow or an older Trackside): import into a local Trackside store.`,
          e.endpoint,
        );
      }
      throw e;
    }
    return await readImportStream(answer.stream!, request, (importId) => http.json('POST', `${IMPORT_PATH}/cancel`, { json: { import_id: importId }, idempotent: false, timeoutMs: 10_000 }));
  } finally {
    http.close();
  }
}

/** Reads the JSON lines of an import's answer until its last line; asks `cancel` to stop it when the signal fires. */
function readImportStream(
  stream: IncomingMessage,
  request: StoreImportRequest,
  cancel: (importId: string) => Promise<unknown>,
): Promise<ImportSummary> {
  return new Promise<ImportSummary>((resolve, reject) => {
    let buffered = '';
    let importId: string | undefined;
    let settled = false;
    let cancelTimer: NodeJS.Timeout | undefined;
    const finish = (error: unknown, summary?: ImportSummary): void => {
      if (settled) return;
      settled = true;
      clearTimeout(cancelTimer);
      request.signal?.removeEventListener('abort', onAbort);
      stream.destroy();
      if (error) reject(error);
      else resolve(summary!);
    };
    const cancelled = (): TrackingClientError =>
      new TrackingClientError(0, 'CANCELLED', 'The import was cancelled before it answered; importing the same source again continues where it stopped.', `POST ${IMPORT_PATH}`);
    const onAbort = (): void => {
      if (importId === undefined) return finish(cancelled());
      cancel(importId).catch(() => finish(cancelled()));
      cancelTimer = setTimeout(() => finish(cancelled()), CANCEL_GRACE_MS);
    };
    const onLine = (text: string): void => {
      if (text.trim() === '') return;
      let line: StreamLine;
      try {
        line = JSON.parse(text) as StreamLine;
      } catch {
        return finish(new TrackingClientError(200, 'INVALID_RESPONSE', `The import answered a line that is not JSON: '${text.slice(0, 200)}'.`, `POST ${IMPORT_PATH}`));
      }
      switch (line.type) {
        case 'started':
          importId = line.import_id;
          if (request.signal?.aborted) onAbort();
          return;
        case 'progress':
          request.onProgress?.({ phase: line.phase ?? 'runs', done: line.done ?? 0, total: line.total ?? 0, message: line.message ?? '' });
          return;
        case 'summary':
          return finish(undefined, line.summary!);
        case 'aborted':
          return finish(new ImportAbortedError(line.summary!));
        case 'error':
          return finish(new TrackingClientError(200, line.error_code ?? 'INTERNAL_ERROR', line.message ?? 'The import failed.', `POST ${IMPORT_PATH}`));
        default:
          return; // heartbeats, and lines a newer server may add
      }
    };
    request.signal?.addEventListener('abort', onAbort, { once: true });
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while (!settled && (newline = buffered.indexOf('\n')) >= 0) {
        const text = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        onLine(text);
      }
    });
    stream.on('end', () => {
      if (buffered) onLine(buffered);
      finish(
        new TrackingClientError(
          0,
          'CONNECTION_ERROR',
          'The server closed the connection before the import finished; importing the same source again continues where it stopped.',
          `POST ${IMPORT_PATH}`,
        ),
      );
    });
    stream.on('error', (e) => finish(request.signal?.aborted ? cancelled() : new TrackingClientError(0, 'CONNECTION_ERROR', `The import's connection failed: ${e.message}`, `POST ${IMPORT_PATH}`)));
  });
}
