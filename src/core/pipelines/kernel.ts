import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { KernelStartError } from './kernelStartError';
import { settlesWithin } from '../util/settlesWithin';
import {
  LineSplitter,
  type CellError,
  type CellStatus,
  type DataFrameSummary,
  type KernelEvent,
  type KernelReadyEvent,
  type KernelRequest,
  type KernelStreamEvent,
  type StreamName,
} from './kernelProtocol';

export interface KernelOptions {
  /** The Python interpreter to run (a path, or a name looked up on PATH). */
  interpreter: string;
  /** Folder holding the `trackside_kernel` package (`dist/python` when shipped); first on PYTHONPATH. */
  bundledPythonPath: string;
  /** Working folder of the kernel (a pipeline runs in its script's folder). */
  cwd?: string;
  /**
   * Merged over `process.env`; `undefined` removes a variable. `MLFLOW_RUN_ID`, `MLFLOW_TRACKING_URI`
   * and `MLFLOW_TRACKING_TOKEN` go here. A `PYTHONPATH` here comes after the bundled folder.
   */
  env?: Record<string, string | undefined>;
  /** How long the interpreter may take to report ready (default 60 s: importing mlflow for autolog is slow). */
  readyTimeoutMs?: number;
  /** Call `mlflow.autolog()` at start when mlflow is importable (default true). */
  autolog?: boolean;
  /** Output written while no cell runs (threads between cells, warnings at start). */
  onOutput?: (event: KernelStreamEvent) => void;
  /** The kernel's own problems (never the user's output). */
  onLog?: (text: string) => void;
}

export interface CellRequest {
  /** Labels the cell's output and result; the runner uses the cell's index (-1 for injected parameters). */
  cell: number;
  code: string;
  /** The script's path: tracebacks and `__file__` use it. */
  filename: string;
  /** 1-based line of the script where `code` starts. */
  firstLine: number;
}

export interface CellResult {
  cell: number;
  /** `error` also when the process died mid-cell (`error.ename` is then `KernelDied`). */
  status: CellStatus;
  durationMs: number;
  error?: CellError;
  /** DataFrames the cell created or changed at the top level of the namespace. */
  dataframes: DataFrameSummary[];
}

export interface ExecuteOptions {
  onStream?: (name: StreamName, text: string) => void;
}

export interface KernelExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface RunningCell {
  cell: number;
  startedAt: number;
  dataframes: DataFrameSummary[];
  onStream?: (name: StreamName, text: string) => void;
  resolve: (result: CellResult) => void;
}

const STDERR_TAIL = 8 * 1024;
const KILL_WAIT_MS = 1000;

function parseVersion(text: string): number[] {
  return text.split('.').map((part) => Number.parseInt(part, 10) || 0);
}

/** The environment of the kernel process. */
export function kernelEnvironment(options: Pick<KernelOptions, 'bundledPythonPath' | 'env' | 'autolog'>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  env.PYTHONPATH = [options.bundledPythonPath, env.PYTHONPATH].filter((entry) => entry).join(path.delimiter);
  env.PYTHONUNBUFFERED = '1';
  env.PYTHONIOENCODING = 'utf-8';
  env.TRACKSIDE_KERNEL_AUTOLOG = options.autolog === false ? '0' : '1';
  return env;
}

export function describeExit(exit: KernelExit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/** One persistent Python process running cells in a shared namespace. */
export class PythonKernel {
  readonly exited: Promise<KernelExit>;
  private info_: KernelReadyEvent | undefined;
  private current: RunningCell | undefined;
  private exit: KernelExit | undefined;
  private stopping = false;
  private stderrTail = '';
  private markExited!: (exit: KernelExit) => void;
  private readyWaiter: { resolve: () => void; reject: (error: Error) => void } | undefined;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly options: KernelOptions,
  ) {
    this.exited = new Promise((resolve) => (this.markExited = resolve));
    const lines = new LineSplitter((line) => this.onLine(line));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => lines.push(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => this.appendStderr(chunk));
    child.stdin.on('error', () => undefined); // EPIPE after a crash: the exit handler reports it
    let exitTimer: NodeJS.Timeout | undefined;
    child.on('exit', (code, signal) => {
      // 'close' follows once stdout is drained; do not wait for it forever.
      exitTimer = setTimeout(() => this.onExit({ code, signal }), 2000);
    });
    child.on('close', (code, signal) => {
      clearTimeout(exitTimer);
      this.onExit({ code, signal });
    });
    child.on('error', (error: NodeJS.ErrnoException) => this.onSpawnError(error));
  }

  /** Starts the interpreter and resolves once the kernel reports ready; rejects with KernelStartError. */
  static async start(options: KernelOptions): Promise<PythonKernel> {
    const child = spawn(options.interpreter, ['-u', '-m', 'trackside_kernel.bootstrap'], {
      cwd: options.cwd,
      env: kernelEnvironment(options),
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group, so stop() can end the subprocesses a cell started.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    const kernel = new PythonKernel(child, options);
    await kernel.waitReady(options.readyTimeoutMs ?? 60_000);
    return kernel;
  }

  /** What the kernel reported at start (Python version, pid, importable packages, autolog). */
  get info(): KernelReadyEvent {
    if (!this.info_) throw new Error('The kernel has not started yet.');
    return this.info_;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  /** The cell being run, if any. */
  get runningCell(): number | undefined {
    return this.current?.cell;
  }

  /** Runs one cell; resolves when it ends (ok, error or interrupted), never rejects for the cell's own errors. */
  execute(request: CellRequest, options: ExecuteOptions = {}): Promise<CellResult> {
    if (this.exit) {
      return Promise.reject(new Error(`The Python kernel ${describeExit(this.exit)}; start a new one to run cells.`));
    }
    if (this.current) {
      return Promise.reject(new Error(`The Python kernel is still running cell ${this.current.cell}.`));
    }
    return new Promise((resolve) => {
      this.current = { cell: request.cell, startedAt: performance.now(), dataframes: [], onStream: options.onStream, resolve };
      this.send({ op: 'execute', cell: request.cell, code: request.code, filename: request.filename, firstLine: request.firstLine });
    });
  }

  /** Raises KeyboardInterrupt in the running cell (SIGINT; a request on Windows). No-op when idle. */
  interrupt(): void {
    if (this.exit || !this.current) return;
    if (process.platform === 'win32') this.send({ op: 'interrupt' });
    else this.signal('SIGINT', false);
  }

  /**
   * Stops the kernel: interrupts the running cell, asks the kernel to leave, and after `graceMs`
   * (default 3 s) sends SIGTERM, then SIGKILL, to the kernel and the processes it started.
   */
  async stop(options: { graceMs?: number } = {}): Promise<KernelExit> {
    if (this.exit) return this.exit;
    this.stopping = true;
    this.interrupt();
    this.send({ op: 'shutdown' });
    this.child.stdin.end();
    const graceMs = options.graceMs ?? 3000;
    if (!(await this.exitsWithin(graceMs))) {
      this.signal('SIGTERM', true);
      if (!(await this.exitsWithin(KILL_WAIT_MS))) this.signal('SIGKILL', true);
    }
    const exit = await this.exited;
    this.signal('SIGTERM', true); // what is left of the process group: background subprocesses
    return exit;
  }

  private exitsWithin(ms: number): Promise<boolean> {
    return settlesWithin(this.exited, ms);
  }

  private signal(signal: NodeJS.Signals, group: boolean): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      if (group && process.platform !== 'win32') process.kill(-pid, signal);
      else if (!this.exit) this.child.kill(signal);
    } catch {
      // Already gone.
    }
  }

  private send(request: KernelRequest): void {
    if (this.exit || this.child.stdin.destroyed || this.child.stdin.writableEnded) return;
    this.child.stdin.write(JSON.stringify(request) + '\n');
  }

  private waitReady(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.readyWaiter = undefined;
        this.signal('SIGKILL', true);
        reject(new KernelStartError(this.options.interpreter, 'timeout', `it did not start the kernel within ${Math.round(timeoutMs / 1000)} s.`, this.stderrTail));
      }, timeoutMs);
      this.readyWaiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  private failStart(error: KernelStartError): void {
    const waiter = this.readyWaiter;
    this.readyWaiter = undefined;
    waiter?.reject(error);
  }

  private onSpawnError(error: NodeJS.ErrnoException): void {
    const interpreter = this.options.interpreter;
    if (error.code === 'ENOENT') {
      this.failStart(new KernelStartError(interpreter, 'notFound', 'no such file or command.'));
    } else if (error.code === 'EACCES') {
      this.failStart(new KernelStartError(interpreter, 'notExecutable', 'the file is not executable.'));
    } else {
      this.failStart(new KernelStartError(interpreter, 'bootstrapFailed', `${error.message}.`));
    }
    if (this.child.pid === undefined) this.onExit({ code: null, signal: null });
  }

  private appendStderr(text: string): void {
    this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL);
  }

  private onLine(line: string): void {
    let event: KernelEvent;
    try {
      event = JSON.parse(line) as KernelEvent;
    } catch {
      this.options.onLog?.(`Unreadable message from the kernel: ${line.slice(0, 200)}`);
      return;
    }
    const current = this.current;
    switch (event.event) {
      case 'ready':
        this.onReady(event);
        break;
      case 'stream':
        if (event.name === 'stderr') this.appendStderr(event.text);
        if (current && event.cell === current.cell) current.onStream?.(event.name, event.text);
        else this.options.onOutput?.(event);
        break;
      case 'dataframes':
        if (current && event.cell === current.cell) current.dataframes.push(...event.dataframes);
        break;
      case 'result':
        if (current && event.cell === current.cell) {
          this.current = undefined;
          const result: CellResult = { cell: event.cell, status: event.status, durationMs: event.durationMs, dataframes: current.dataframes };
          if (event.error) result.error = event.error;
          current.resolve(result);
        }
        break;
      case 'log':
        this.options.onLog?.(event.text);
        break;
    }
  }

  private onReady(event: KernelReadyEvent): void {
    const [major, minor] = parseVersion(event.python);
    if (major < 3 || (major === 3 && minor < 8)) {
      this.failStart(new KernelStartError(this.options.interpreter, 'unsupportedVersion', `it is Python ${event.python}; Trackside needs Python 3.8 or newer.`));
      this.signal('SIGKILL', true);
      return;
    }
    this.info_ = event;
    const waiter = this.readyWaiter;
    this.readyWaiter = undefined;
    waiter?.resolve();
  }

  private onExit(exit: KernelExit): void {
    if (this.exit) return;
    this.exit = exit;
    if (this.readyWaiter) this.failStart(this.startFailure(exit));
    const current = this.current;
    this.current = undefined;
    if (current) {
      const durationMs = performance.now() - current.startedAt;
      const tail = this.stderrTail.trimEnd();
      const result: CellResult = {
        cell: current.cell,
        status: this.stopping ? 'interrupted' : 'error',
        durationMs,
        dataframes: current.dataframes,
        error: {
          ename: this.stopping ? 'KeyboardInterrupt' : 'KernelDied',
          evalue: this.stopping
            ? `The cell was stopped; the Python process ${describeExit(exit)}.`
            : `The Python process ${describeExit(exit)} while the cell was running.`,
          traceback: tail === '' ? [] : tail.split('\n'),
          line: null,
        },
      };
      current.resolve(result);
    }
    this.markExited(exit);
  }

  private startFailure(exit: KernelExit): KernelStartError {
    const interpreter = this.options.interpreter;
    const stderr = this.stderrTail.trim();
    const unsupported = /TRACKSIDE_KERNEL_UNSUPPORTED_PYTHON (\S+)/.exec(stderr);
    if (unsupported) {
      return new KernelStartError(interpreter, 'unsupportedVersion', `it is Python ${unsupported[1]}; Trackside needs Python 3.8 or newer.`, stderr);
    }
    if (/No module named '?trackside_kernel/.test(stderr)) {
      return new KernelStartError(
        interpreter,
        'bootstrapFailed',
        `it could not load Trackside's kernel from '${this.options.bundledPythonPath}' (${lastLine(stderr)}).`,
        stderr,
      );
    }
    const said = stderr === '' ? '' : `: ${lastLine(stderr)}`;
    return new KernelStartError(interpreter, 'bootstrapFailed', `it ${describeExit(exit)} before the kernel was ready${said}.`, stderr);
  }
}

function lastLine(text: string): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return (lines[lines.length - 1] ?? '').trim().slice(0, 300);
}
