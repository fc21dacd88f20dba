import fs from 'node:fs';
import path from 'node:path';
import { resolveEntryPointParameters, type EntryPoint, type EntryPointParameter } from './mlproject';
import { setOwn } from '../yaml/yamlError';
import { MLprojectError } from './mlprojectError';

/** Parameter values between the person (CLI `-P`, input boxes, a re-run) and the runner. */

/** The tag holding a project run's effective parameters as JSON, so a re-run can reproduce them. */
export const PARAMETERS_TAG = 'trackside.project.parameters';

/**
 * `-P key=value` arguments as a record (split at the first `=`). Throws MLprojectError for an
 * argument without `=` or with an empty name, and for a name given twice (as MLflow's CLI does).
 */
export function parseParameterAssignments(assignments: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const assignment of assignments) {
    const equals = assignment.indexOf('=');
    if (equals <= 0) {
      throw new MLprojectError(`Parameters are given as -P name=value; got '${assignment}'.`);
    }
    const name = assignment.slice(0, equals);
    if (Object.prototype.hasOwnProperty.call(values, name)) throw new MLprojectError(`Parameter '${name}' is given more than once.`);
    setOwn(values, name, assignment.slice(equals + 1));
  }
  return values;
}

/**
 * Why `value` is not acceptable for one parameter of an entry point (the same message a run would
 * refuse it with), or undefined when it is. A `path` must exist, relative to `baseDir`.
 */
export function parameterValueProblem(entry: EntryPoint, parameter: EntryPointParameter, value: string, baseDir: string): string | undefined {
  const single: EntryPoint = { ...entry, parameters: { [parameter.name]: { name: parameter.name, type: parameter.type } } };
  try {
    resolveEntryPointParameters(single, { [parameter.name]: value }, baseDir, { pathExists: (file) => fs.existsSync(file) });
    return undefined;
  } catch (error) {
    if (error instanceof MLprojectError) return error.message;
    throw error;
  }
}

/**
 * Given values of `path` parameters made absolute against `baseDir` (where the person typed them,
 * e.g. the CLI's working folder); other values, absolute paths and URIs are left alone.
 */
export function absolutePathValues(entry: EntryPoint, given: Record<string, string>, baseDir: string): Record<string, string> {
  const out: Record<string, string> = { ...given };
  for (const [name, value] of Object.entries(given)) {
    const declared = Object.prototype.hasOwnProperty.call(entry.parameters, name) ? entry.parameters[name] : undefined;
    if (declared?.type !== 'path' || value === '' || path.isAbsolute(value) || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) continue;
    setOwn(out, name, path.resolve(baseDir, value));
  }
  return out;
}

/** The parameters recorded on a project run: the JSON tag when present and valid, else undefined. */
export function recordedParameters(tagValue: string | undefined): Record<string, string> | undefined {
  if (!tagValue) return undefined;
  try {
    const parsed: unknown = JSON.parse(tagValue);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    const entries = Object.entries(parsed as Record<string, unknown>);
    if (!entries.every(([, value]) => typeof value === 'string')) return undefined;
    return Object.fromEntries(entries) as Record<string, string>;
  } catch {
    return undefined;
  }
}
