import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { findBundledPython, type PythonRuntime } from '../../../src/core/models/modelPython';

/** `src/python` of this checkout (the sources, not a possibly older build in dist/python). */
export function pythonFolder(): string {
  for (let folder = __dirname; path.dirname(folder) !== folder; folder = path.dirname(folder)) {
    if (fs.existsSync(path.join(folder, 'src', 'python', 'trackside', 'models', 'serve.py'))) return path.join(folder, 'src', 'python');
  }
  const found = findBundledPython(process.cwd());
  if (!found) throw new Error('The bundled trackside Python package was not found from ' + __dirname);
  return found;
}

export function runtime(env: NodeJS.ProcessEnv = {}): PythonRuntime {
  return { interpreter: process.env.TRACKSIDE_TEST_PYTHON ?? 'python3', pythonPath: pythonFolder(), env };
}

/** Runs a Python program with the bundled client on its path; resolves with stdout. */
export function python(code: string, env: Record<string, string> = {}): Promise<string> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(base)) if (name.startsWith('MLFLOW_')) delete base[name];
  return new Promise((resolve, reject) => {
    execFile(
      'python3',
      ['-c', code],
      { env: { ...base, PYTHONPATH: pythonFolder(), ...env }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => (error ? reject(new Error(`python3 failed: ${stderr || error.message}`)) : resolve(stdout)),
    );
  });
}

/** The demo model: spend = 5 + 3·tenure + 10·plan − 2·calls (a pure-Python LinearModel). */
export const COEFFICIENTS = { tenure: 3, plan: 10, calls: -2 };
export const INTERCEPT = 5;

export function expectedSpend(row: { tenure: number; plan: number; calls: number }): number {
  return INTERCEPT + COEFFICIENTS.tenure * row.tenure + COEFFICIENTS.plan * row.plan + COEFFICIENTS.calls * row.calls;
}

const EXAMPLE = '[{"tenure": 12, "plan": 2.0, "calls": 1.5}, {"tenure": 40, "plan": 1.0, "calls": 0.0}]';

/** Python that builds a LinearModel (optionally scaled, or a classifier with a threshold). */
function modelExpression(options: { scale?: number; threshold?: number }): string {
  const s = options.scale ?? 1;
  const coefficients = `{"tenure": ${COEFFICIENTS.tenure * s}, "plan": ${COEFFICIENTS.plan * s}, "calls": ${COEFFICIENTS.calls * s}}`;
  return `LinearModel(${coefficients}, ${INTERCEPT * s}${options.threshold !== undefined ? `, threshold=${options.threshold}` : ''})`;
}

/** Saves the demo model into `folder` (no server needed); returns the folder. */
export async function saveDemoModel(folder: string, options: { scale?: number; threshold?: number } = {}): Promise<string> {
  await python(
    `from trackside.models import save_model\nfrom trackside.models.demo import LinearModel\n` +
      `save_model(${modelExpression(options)}, ${JSON.stringify(folder)}, input_example=${EXAMPLE})`,
  );
  return folder;
}

/**
 * Logs the demo model into a new run of the server at `trackingUri` and registers it as a version of
 * `name` (through the bundled client's `log_model`, as a person would). Returns the run id and version.
 */
export async function logDemoModel(
  trackingUri: string,
  token: string,
  name: string,
  options: { scale?: number; threshold?: number; alias?: string } = {},
): Promise<{ runId: string; version: string }> {
  const out = await python(
    [
      'import json, trackside',
      'from trackside.models.demo import LinearModel',
      'trackside.set_experiment("training")',
      'with trackside.start_run() as run:',
      `    info = trackside.log_model(${modelExpression(options)}, "model", input_example=${EXAMPLE}, registered_model_name=${JSON.stringify(name)})`,
      options.alias ? `trackside.TracksideClient().set_registered_model_alias(${JSON.stringify(name)}, ${JSON.stringify(options.alias)}, info.registered_model_version)` : '',
      'print(json.dumps({"runId": run.info.run_id, "version": info.registered_model_version}))',
    ].join('\n'),
    { MLFLOW_TRACKING_URI: trackingUri, MLFLOW_TRACKING_TOKEN: token },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as { runId: string; version: string };
}

/** Writes a CSV of `rows` demo inputs (deterministic), with `id` and the true `spend` unless left out. */
export function writeDemoCsv(file: string, rows: number, options: { columns?: string[]; noise?: (i: number) => number } = {}): void {
  const columns = options.columns ?? ['id', 'tenure', 'plan', 'calls', 'spend'];
  const lines = [columns.join(',')];
  for (let i = 0; i < rows; i++) {
    const row = { id: i, tenure: (i * 7) % 60, plan: (i % 3) + 1, calls: ((i * 13) % 50) / 10 };
    const values: Record<string, number> = { ...row, spend: expectedSpend(row) + (options.noise?.(i) ?? 0) };
    lines.push(columns.map((c) => String(values[c])).join(','));
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join('\n') + '\n');
}
