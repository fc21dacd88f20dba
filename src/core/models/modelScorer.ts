import type { ChildProcess } from 'node:child_process';
import { forEachLine, interpreterFailure, parseEvent, spawnPythonModule, type PythonRuntime } from './modelPython';

export interface ScoringOptions {
  /** The model folder (with its MLmodel). */
  modelFolder: string;
  input: string;
  output: string;
  inputFormat?: 'csv' | 'jsonl';
  outputFormat?: 'csv' | 'jsonl';
  /** Name of the appended column (default `prediction`). */
  predictionColumn?: string;
  /** Rows per chunk (default 10,000). */
  batchRows?: number;
  /** Columns not handed to the model (e.g. the label of a labelled file). */
  excludeColumns?: readonly string[];
  onProgress?: (progress: ScoringProgress) => void;
  /** Lines the model or Python printed that are not progress events. */
  onLog?: (line: string) => void;
}

export interface ScoringProgress {
  rows: number;
  bytes: number;
  totalBytes: number;
}

export interface ScoringResult {
  inputRows: number;
  outputRows: number;
  /** Scoring time in Python, without loading the model. */
  seconds: number;
  /** How long loading the model took. */
  loadSeconds: number;
  output: string;
  flavor: string;
}

export type ScoringErrorCode = 'SCHEMA_MISMATCH' | 'BAD_INPUT' | 'MODEL_ERROR' | 'LOAD_ERROR' | 'IO_ERROR' | 'STOPPED' | 'PYTHON_FAILED';

/** Scoring failed or was stopped; `code` says which, `missing` lists absent signature columns. */
export class ScoringError extends Error {
  constructor(
    readonly code: ScoringErrorCode,
    message: string,
    readonly missing: string[] = [],
  ) {
    super(message);
    this.name = 'ScoringError';
  }
}

const STOP_GRACE_MS = 5000;
const LOG_TAIL_LINES = 20;

/**
 * One batch scoring process (`python -m trackside.models.score`): progress as it goes, `stop()` to
 * end it (no output is left behind), `done` for the outcome.
 */
export class ScoringJob {
  readonly done: Promise<ScoringResult>;
  private readonly child: ChildProcess;
  private stopping = false;

  constructor(runtime: PythonRuntime, options: ScoringOptions) {
    const args = ['--model-dir', options.modelFolder, '--input', options.input, '--output', options.output];
    if (options.inputFormat) args.push('--input-format', options.inputFormat);
    if (options.outputFormat) args.push('--output-format', options.outputFormat);
    if (options.predictionColumn) args.push('--prediction-column', options.predictionColumn);
    if (options.batchRows) args.push('--batch-rows', String(options.batchRows));
    for (const column of options.excludeColumns ?? []) args.push('--exclude-column', column);
    this.child = spawnPythonModule(runtime, 'trackside.models.score', args);
    this.done = new Promise<ScoringResult>((resolve, reject) => {
      let loaded: { seconds: number; flavor: string } | undefined;
      let result: ScoringResult | undefined;
      let failure: ScoringError | undefined;
      const tail: string[] = [];
      const onLine = (line: string): void => {
        const event = parseEvent(line);
        if (!event) {
          if (!line.trim()) return;
          tail.push(line);
          if (tail.length > LOG_TAIL_LINES) tail.shift();
          options.onLog?.(line);
          return;
        }
        if (event.event === 'loaded') loaded = { seconds: Number(event.seconds), flavor: String(event.flavor) };
        else if (event.event === 'progress') options.onProgress?.({ rows: Number(event.rows), bytes: Number(event.bytes), totalBytes: Number(event.total_bytes) });
        else if (event.event === 'done') {
          result = {
            inputRows: Number(event.input_rows),
            outputRows: Number(event.output_rows),
            seconds: Number(event.seconds),
            loadSeconds: loaded?.seconds ?? 0,
            output: String(event.output),
            flavor: loaded?.flavor ?? 'unknown',
          };
        } else if (event.event === 'error') {
          failure = new ScoringError(event.error_code as ScoringErrorCode, String(event.message), Array.isArray(event.missing) ? event.missing.map(String) : []);
        } else if (event.event === 'stopped') failure = new ScoringError('STOPPED', String(event.message));
      };
      forEachLine(this.child.stdout!, onLine);
      forEachLine(this.child.stderr!, onLine);
      this.child.on('error', (error) => reject(new ScoringError('PYTHON_FAILED', interpreterFailure(runtime, error))));
      this.child.on('close', (code, signal) => {
        if (result && code === 0) return resolve(result);
        if (failure) return reject(failure);
        if (this.stopping) return reject(new ScoringError('STOPPED', 'Scoring was stopped; no output was written.'));
        const detail = tail.length ? `:\n${tail.join('\n')}` : '.';
        reject(new ScoringError('PYTHON_FAILED', `The scoring process ended (${signal ?? `exit code ${code}`}) without a result${detail}`));
      });
    });
  }

  /** Asks the process to stop (SIGTERM; SIGKILL after 5 s). `done` then rejects with STOPPED. */
  stop(): void {
    if (this.stopping || this.child.exitCode !== null) return;
    this.stopping = true;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    timer.unref();
    this.child.once('close', () => clearTimeout(timer));
  }
}

export function startScoring(runtime: PythonRuntime, options: ScoringOptions): ScoringJob {
  return new ScoringJob(runtime, options);
}
