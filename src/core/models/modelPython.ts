import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Which Python runs the model, and where the bundled `trackside` package is. */
export interface PythonRuntime {
  /** The interpreter (`python3`, a virtualenv's python, …). */
  interpreter: string;
  /** The folder holding the `trackside` package (`dist/python` when shipped, `src/python` in a checkout). */
  pythonPath: string;
  /** Extra environment for the process (e.g. MLFLOW_TRACKING_URI). */
  env?: NodeJS.ProcessEnv;
}

/**
 * The folder with the bundled `trackside` package, searched from `start` upwards: `python/` beside a
 * bundle (dist/python), or `src/python` / `dist/python` of a checkout.
 */
export function findBundledPython(start: string): string | undefined {
  for (let folder = path.resolve(start); ; folder = path.dirname(folder)) {
    for (const candidate of [path.join(folder, 'python'), path.join(folder, 'dist', 'python'), path.join(folder, 'src', 'python')]) {
      if (fs.existsSync(path.join(candidate, 'trackside', 'models', 'serve.py'))) return candidate;
    }
    if (path.dirname(folder) === folder) return undefined;
  }
}

/** Starts `python -m <module> args…` with the bundled package first on PYTHONPATH. */
export function spawnPythonModule(runtime: PythonRuntime, module: string, args: string[], options: { stdinPipe?: boolean } = {}): ChildProcess {
  const base = { ...process.env, ...runtime.env };
  const existing = base.PYTHONPATH;
  const env: NodeJS.ProcessEnv = {
    ...base,
    PYTHONPATH: existing ? `${runtime.pythonPath}${path.delimiter}${existing}` : runtime.pythonPath,
    PYTHONUNBUFFERED: '1',
    PYTHONIOENCODING: 'utf-8',
  };
  return spawn(runtime.interpreter, ['-m', module, ...args], { env, stdio: [options.stdinPipe ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
}

/** An event line a Trackside Python entry point printed (`{"event": …}`). */
export interface PythonEvent {
  event: string;
  [field: string]: unknown;
}

/** Calls `onLine` with each complete line of a stream (the last partial line at the end). */
export function forEachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      onLine(pending.slice(0, newline).replace(/\r$/, ''));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  });
  stream.on('end', () => {
    if (pending) onLine(pending);
    pending = '';
  });
}

/** The event in a line, or undefined for any other output (a model's own prints and warnings). */
export function parseEvent(line: string): PythonEvent | undefined {
  if (!line.startsWith('{"') || !line.includes('"event"')) return undefined;
  try {
    const value = JSON.parse(line) as PythonEvent;
    return typeof value?.event === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** What to say when the interpreter itself could not start. */
export function interpreterFailure(runtime: PythonRuntime, error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') {
    return `The Python interpreter '${runtime.interpreter}' was not found: install Python 3 or set trackside.python.path to an interpreter.`;
  }
  return `Could not start '${runtime.interpreter}': ${error.message}`;
}
