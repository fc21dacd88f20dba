import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { settlesWithin } from '../util/settlesWithin';

export type ProcessStream = 'stdout' | 'stderr';

export interface ProjectProcessOptions {
  /** The argument vector to spawn directly; when undefined, `command` runs through `/bin/sh -c`. */
  argv?: string[];
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  onOutput: (text: string, stream: ProcessStream) => void;
}

export interface ProcessExit {
  /** The exit code, or null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why the process could not be started (e.g. the program was not found). */
  error?: string;
}

/** How long to wait after SIGTERM before SIGKILL. */
const KILL_WAIT_MS = 2000;
/** How long to wait for the output pipes after the process exited (a background child may hold them). */
const CLOSE_WAIT_MS = 2000;

/**
 * An entry point's command in its own process group (POSIX), its output streamed as text. `stop()`
 * sends SIGINT to the group (Ctrl-C), then SIGTERM after a grace period, then SIGKILL.
 */
export class ProjectProcess {
  readonly exited: Promise<ProcessExit>;
  private exit: ProcessExit | undefined;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => {
      let closeTimer: NodeJS.Timeout | undefined;
      const finish = (exit: ProcessExit): void => {
        clearTimeout(closeTimer);
        if (this.exit) return;
        this.exit = exit;
        resolve(exit);
      };
      child.on('error', (error: NodeJS.ErrnoException) => {
        // ENOENT and friends: the process never ran. A shell answers 127 for a missing command.
        if (child.pid === undefined || error.code === 'ENOENT' || error.code === 'EACCES') {
          finish({ code: error.code === 'EACCES' ? 126 : 127, signal: null, error: error.message });
        }
      });
      child.on('exit', (code, signal) => {
        closeTimer = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          finish({ code, signal });
        }, CLOSE_WAIT_MS);
      });
      child.on('close', (code, signal) => finish({ code, signal }));
    });
  }

  static start(options: ProjectProcessOptions): ProjectProcess {
    const posix = process.platform !== 'win32';
    const [file, args] = options.argv ? [options.argv[0], options.argv.slice(1)] : posix ? ['/bin/sh', ['-c', options.command]] : [options.command, []];
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so stop() reaches the processes the command starts.
      detached: posix,
      shell: !posix && !options.argv,
      windowsHide: true,
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      const readable = child[stream];
      readable?.setEncoding('utf8');
      readable?.on('data', (text: string) => options.onOutput(text, stream));
      readable?.on('error', () => undefined);
    }
    return new ProjectProcess(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Stops the command: SIGINT, then SIGTERM after `graceMs`, then SIGKILL; resolves with how it ended. */
  async stop(graceMs = 3000): Promise<ProcessExit> {
    if (this.exit) return this.exit;
    this.signal('SIGINT');
    if (!(await this.exitsWithin(graceMs))) {
      this.signal('SIGTERM');
      if (!(await this.exitsWithin(KILL_WAIT_MS))) this.signal('SIGKILL');
    }
    const exit = await this.exited;
    this.signal('SIGTERM'); // what is left of the group: background processes the command started
    return exit;
  }

  private exitsWithin(ms: number): Promise<boolean> {
    return settlesWithin(this.exited, ms);
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      if (process.platform !== 'win32') process.kill(-pid, signal);
      else if (!this.exit) this.child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

/** The signal's number (SIGINT → 2), for the shell's `128 + n` exit status. */
export function signalNumber(signal: NodeJS.Signals): number | undefined {
  return os.constants.signals[signal];
}
