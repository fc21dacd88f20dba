import fs from 'node:fs';
import path from 'node:path';

/**
 * The absolute path of a program: `name` itself when it names a path, else the first executable
 * file called `name` in the folders of `pathValue`. Undefined when there is none.
 */
export function resolveExecutable(name: string, pathValue: string | undefined): string | undefined {
  if (name.includes('/') || name.includes('\\')) {
    const absolute = path.resolve(name);
    return isExecutable(absolute) ? absolute : undefined;
  }
  const extensions = process.platform === 'win32' ? ['', '.exe', '.cmd', '.bat'] : [''];
  for (const folder of (pathValue ?? '').split(path.delimiter)) {
    if (!folder) continue;
    for (const extension of extensions) {
      const candidate = path.join(folder, name + extension);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const PYTHON_NAMES = ['python', 'python3'];

/**
 * Makes `python` and `python3` mean `interpreter` in a command: on POSIX, small `exec` scripts
 * in `<folder>/bin` (returned, to put first on PATH; the interpreter is exec'd by its own path so
 * a virtual environment stays itself, with `pathValue` as PATH again so an interpreter that is a
 * wrapper calling `python3` cannot loop back into the shim); on Windows, the interpreter's own
 * folder. Undefined when the interpreter cannot be found (the command then sees the PATH it was given).
 */
export function installInterpreterShims(folder: string, interpreter: string, pathValue: string | undefined): string | undefined {
  const executable = resolveExecutable(interpreter, pathValue);
  if (executable === undefined) return undefined;
  if (process.platform === 'win32') return path.dirname(executable);
  const bin = path.join(folder, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const quote = (text: string): string => `'${text.replace(/'/g, `'"'"'`)}'`;
  const restorePath = pathValue === undefined ? 'unset PATH' : `PATH=${quote(pathValue)}; export PATH`;
  for (const name of PYTHON_NAMES) {
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${restorePath}\nexec ${quote(executable)} "$@"\n`, { mode: 0o755 });
  }
  return bin;
}

/** The argument vector with a leading `python` / `python3` replaced by the interpreter. */
export function withInterpreter(argv: string[], interpreter: string): string[] {
  return PYTHON_NAMES.includes(argv[0]) ? [interpreter, ...argv.slice(1)] : argv;
}
