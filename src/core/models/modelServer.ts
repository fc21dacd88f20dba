import type { ChildProcess } from 'node:child_process';
import { forEachLine, interpreterFailure, parseEvent, spawnPythonModule, type PythonRuntime } from './modelPython';

export interface ModelServerOptions {
  modelFolder: string;
  /** 0 (default): any free port. */
  port?: number;
  /** Each line the server logs (requests, the model's own output). */
  onLog?: (line: string) => void;
  /** How long to wait for the model to load and the port to open (default 60 s). */
  startTimeoutMs?: number;
}

const STOP_GRACE_MS = 5000;
const KEPT_LOG_LINES = 500;

/**
 * A local scoring server (`python -m trackside.models.serve`) with MLflow's protocol on
 * 127.0.0.1: `POST /invocations`, `GET /ping`, `/health`, `/version`. `start` resolves once it
 * listens; `stop` ends it (SIGTERM, then SIGKILL after 5 s).
 */
export class ModelServer {
  readonly logs: string[] = [];
  private readonly exitListeners = new Set<(code: number | null, signal: NodeJS.Signals | null) => void>();
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly port: number,
    readonly flavor: string,
  ) {
    child.once('close', (code, signal) => {
      this.exited = true;
      for (const listener of this.exitListeners) listener(code, signal);
    });
  }

  static start(runtime: PythonRuntime, options: ModelServerOptions): Promise<ModelServer> {
    // The server stops when its stdin closes: it never outlives the process that started it.
    const args = ['--model-dir', options.modelFolder, '--port', String(options.port ?? 0), '--stop-with-stdin'];
    const child = spawnPythonModule(runtime, 'trackside.models.serve', args, { stdinPipe: true });
    const early: string[] = [];
    let server: ModelServer | undefined;
    return new Promise<ModelServer>((resolve, reject) => {
      let failure: string | undefined;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`The model server did not start within ${(options.startTimeoutMs ?? 60_000) / 1000} s.${early.length ? `\n${early.join('\n')}` : ''}`));
      }, options.startTimeoutMs ?? 60_000);
      const onLine = (line: string): void => {
        const event = parseEvent(line);
        if (event?.event === 'listening' && !server) {
          clearTimeout(timer);
          server = new ModelServer(child, String(event.url), Number(event.port), String(event.flavor ?? 'unknown'));
          for (const kept of early) server.keep(kept);
          server.keep(`Listening on ${server.url}`);
          options.onLog?.(`Listening on ${server.url}`);
          resolve(server);
          return;
        }
        if (event?.event === 'error') failure = String(event.message);
        if (!line.trim()) return;
        if (server) server.keep(line);
        else early.push(line);
        options.onLog?.(line);
      };
      forEachLine(child.stdout!, onLine);
      forEachLine(child.stderr!, onLine);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(interpreterFailure(runtime, error)));
      });
      child.once('close', (code, signal) => {
        if (server) return;
        clearTimeout(timer);
        const detail = failure ?? (early.length ? early.slice(-15).join('\n') : `it exited with ${signal ?? `code ${code}`}`);
        reject(new Error(`The model server did not start: ${detail}`));
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Called once when the process ends (stopped, or crashed). */
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): { dispose(): void } {
    this.exitListeners.add(listener);
    return { dispose: () => this.exitListeners.delete(listener) };
  }

  stop(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
      this.child.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.kill('SIGTERM');
    });
  }

  private keep(line: string): void {
    this.logs.push(line);
    if (this.logs.length > KEPT_LOG_LINES) this.logs.splice(0, this.logs.length - KEPT_LOG_LINES);
  }
}
