import os from 'node:os';
import path from 'node:path';

export type InterpreterSource = 'setting' | 'pythonExtension' | 'default';

export interface InterpreterChoice {
  path: string;
  source: InterpreterSource;
}

export interface FindInterpreterOptions {
  /** The `trackside.python.path` setting ('' or undefined when unset). */
  setting?: string;
  /** The Python extension's selected interpreter, asked only when the setting is empty. */
  pythonExtension?: () => Promise<string | undefined>;
  /** Defaults to `process.platform`. */
  platform?: NodeJS.Platform;
}

/**
 * The interpreter for pipelines: the `trackside.python.path` setting, else the Python extension's
 * selected interpreter, else `python3` (`python` on Windows). A leading `~` in the setting is the
 * home folder. A failing or empty answer from the Python extension falls through to the default.
 */
export async function findInterpreter(options: FindInterpreterOptions): Promise<InterpreterChoice> {
  const setting = options.setting?.trim() ?? '';
  if (setting !== '') {
    const expanded = setting === '~' || setting.startsWith('~/') ? path.join(os.homedir(), setting.slice(1)) : setting;
    return { path: expanded, source: 'setting' };
  }
  if (options.pythonExtension) {
    try {
      const selected = (await options.pythonExtension())?.trim();
      if (selected) return { path: selected, source: 'pythonExtension' };
    } catch {
      // The Python extension is missing or not ready: use the default.
    }
  }
  return { path: (options.platform ?? process.platform) === 'win32' ? 'python' : 'python3', source: 'default' };
}
