import * as path from 'node:path';
import { pythonFloatRepr, renderPythonLiteral } from '../pipelines/pythonLiteral';
import { parseYaml } from '../yaml/miniYaml';
import { setOwn, YamlMapping, YamlValue } from '../yaml/yamlError';
import { MLprojectError } from './mlprojectError';
import { shellQuote } from './projectCommand';

/** MLflow Projects: the MLproject file, its entry points and their parameters (mlflow/projects/_project_spec.py). */

export type ParameterType = 'float' | 'int' | 'string' | 'path' | 'uri';

export const PARAMETER_TYPES: readonly ParameterType[] = ['float', 'int', 'string', 'path', 'uri'];

export interface EntryPointParameter {
  name: string;
  type: ParameterType;
  /** The default as MLflow passes it on (Python's `str()` of the YAML value); absent means required. */
  default?: string;
}

export interface EntryPoint {
  name: string;
  /** The command template with `{parameter}` fields (Python `str.format` syntax). */
  command: string;
  parameters: Record<string, EntryPointParameter>;
}

export interface DockerEnvironment {
  image: string;
  volumes: string[];
  /** Names copied from the host, or `[name, value]` pairs. */
  environment: Array<string | string[]>;
  /** The whole `docker_env` mapping as written. */
  spec: YamlMapping;
}

export type ProjectEnvironment =
  | { kind: 'python_env'; value: string }
  | { kind: 'conda_env'; value: string }
  | { kind: 'docker_env'; value: DockerEnvironment }
  | { kind: 'none'; value: null };

export interface MLproject {
  name?: string;
  entryPoints: Record<string, EntryPoint>;
  /**
   * The environment the MLproject names. `none` when it names none; MLflow then uses
   * `python_env.yaml` or else `conda.yaml` from the project folder if present (the caller checks).
   */
  environment: ProjectEnvironment;
  /** Things MLflow accepts but Trackside reads loosely, e.g. an unknown parameter type read as string. */
  warnings: string[];
}

/** Environment files MLflow looks for, in order, when the MLproject names no environment. */
export const DEFAULT_ENVIRONMENT_FILES = ['python_env.yaml', 'conda.yaml'] as const;

const ENVIRONMENT_KINDS = ['python_env', 'conda_env', 'docker_env'] as const;

function isMapping(value: YamlValue | undefined): value is YamlMapping {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: YamlValue): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

/** Python's `str()` of a YAML default, as MLflow substitutes it. */
function defaultText(value: YamlValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pythonFloatRepr(value);
  return renderPythonLiteral(value);
}

function readParameter(entryName: string, name: string, spec: YamlValue, warnings: string[]): EntryPointParameter {
  let typeValue: YamlValue;
  let defaultValue: YamlValue = null;
  if (typeof spec === 'string') {
    typeValue = spec;
  } else if (isMapping(spec)) {
    typeValue = spec.type ?? 'string';
    defaultValue = spec.default ?? null;
  } else {
    throw new MLprojectError(
      `Parameter '${name}' of entry point '${entryName}' must be a type name (such as 'float') or a ` +
        `mapping like {type: float, default: 0.1}; got ${describe(spec)}.`,
    );
  }
  let type: ParameterType;
  if (typeof typeValue === 'string' && (PARAMETER_TYPES as readonly string[]).includes(typeValue)) {
    type = typeValue as ParameterType;
  } else {
    type = 'string';
    warnings.push(
      `Parameter '${name}' of entry point '${entryName}' has type ${describe(typeValue)}, which is not one of ` +
        `${PARAMETER_TYPES.join(', ')}; it is read as a string, as MLflow does.`,
    );
  }
  const parameter: EntryPointParameter = { name, type };
  if (defaultValue !== null) parameter.default = defaultText(defaultValue);
  return parameter;
}

function readEntryPoint(name: string, spec: YamlValue, warnings: string[]): EntryPoint {
  if (!isMapping(spec)) throw new MLprojectError(`Entry point '${name}' must be a mapping with a 'command'.`);
  const command = spec.command;
  if (command === undefined || command === null || typeof command === 'object') {
    throw new MLprojectError(`Entry point '${name}' has no 'command' (a string such as "python train.py {alpha}").`);
  }
  const parametersSpec = spec.parameters ?? {};
  if (!isMapping(parametersSpec)) throw new MLprojectError(`The 'parameters' of entry point '${name}' must be a mapping.`);
  const parameters: Record<string, EntryPointParameter> = {};
  for (const [parameterName, parameterSpec] of Object.entries(parametersSpec)) {
    setOwn(parameters, parameterName, readParameter(name, parameterName, parameterSpec, warnings));
  }
  return { name, command: String(command), parameters };
}

function readDocker(spec: YamlValue): DockerEnvironment {
  const invalid = 'Project configuration (MLproject file) was invalid: ';
  if (!isMapping(spec) || !spec.image) {
    throw new MLprojectError(`${invalid}Docker environment specified but no image attribute found.`);
  }
  const volumes = spec.volumes ?? [];
  if (!Array.isArray(volumes) || !volumes.every((item) => typeof item === 'string')) {
    throw new MLprojectError(`${invalid}Docker volumes must be a list of strings, e.g.: '["/path1/:/path1", "/path2/:/path2"]'`);
  }
  const environment = spec.environment ?? [];
  const validPair = (item: YamlValue): boolean => Array.isArray(item) && item.every((part) => typeof part === 'string');
  if (!Array.isArray(environment) || !environment.every((item) => typeof item === 'string' || validPair(item))) {
    throw new MLprojectError(
      `${invalid}environment must be a list containing either strings (to copy environment variables from ` +
        `host system) or lists of string pairs (to define new environment variables). ` +
        `E.g.: '[["NEW_VAR", "new_value"], "VAR_TO_COPY_FROM_HOST"]'`,
    );
  }
  return { image: String(spec.image), volumes: volumes as string[], environment: environment as Array<string | string[]>, spec };
}

/** Parses an MLproject file's text. Throws MLprojectError (or YamlError, naming the line) when it is invalid. */
export function parseMLproject(text: string): MLproject {
  const document = parseYaml(text) ?? {};
  if (!isMapping(document)) throw new MLprojectError('An MLproject file must be a YAML mapping (name, entry_points, …).');
  const present = ENVIRONMENT_KINDS.filter((kind) => document[kind] !== undefined && document[kind] !== null && document[kind] !== '');
  if (present.length > 1) {
    throw new MLprojectError(`Project cannot contain multiple environment fields: ${present.join(', ')}`);
  }
  const warnings: string[] = [];
  const entryPointsSpec = document.entry_points ?? {};
  if (!isMapping(entryPointsSpec)) throw new MLprojectError("'entry_points' in an MLproject must be a mapping of entry point names.");
  const entryPoints: Record<string, EntryPoint> = {};
  for (const [name, spec] of Object.entries(entryPointsSpec)) setOwn(entryPoints, name, readEntryPoint(name, spec, warnings));
  let environment: ProjectEnvironment = { kind: 'none', value: null };
  const kind = present[0];
  if (kind === 'docker_env') {
    environment = { kind, value: readDocker(document[kind]) };
  } else if (kind !== undefined) {
    const file = document[kind];
    if (typeof file !== 'string') throw new MLprojectError(`'${kind}' must name a file relative to the project, such as '${kind === 'conda_env' ? 'conda.yaml' : 'python_env.yaml'}'.`);
    environment = { kind, value: file };
  }
  const project: MLproject = { entryPoints, environment, warnings };
  if (document.name !== undefined && document.name !== null) project.name = String(document.name);
  return project;
}

const SCRIPT_RUNNERS: Record<string, string> = { '.py': 'python', '.sh': 'bash' };

/** An entry point that runs a script file, as MLflow builds for `-e train.py` (.py → python, .sh → bash, .R → Rscript). */
function scriptEntryPoint(name: string, fileName: string): EntryPoint | undefined {
  const extension = path.extname(fileName);
  const runner = SCRIPT_RUNNERS[extension];
  if (runner) return { name, command: `${runner} ${shellQuote(fileName)}`, parameters: {} };
  if (extension === '.R') {
    return { name, command: `Rscript -e "mlflow::mlflow_source('${shellQuote(fileName)}')" --args`, parameters: {} };
  }
  return undefined;
}

/**
 * The project of a folder without an MLproject file, run on one script: a `main` entry point that
 * runs it (`python <file>` for .py, `bash <file>` for .sh). Throws for other file types.
 */
export function defaultProject(fileName: string): MLproject {
  const entry = scriptEntryPoint('main', fileName);
  if (!entry) {
    throw new MLprojectError(
      `Cannot run '${fileName}' as a project without an MLproject file: supported script file extensions are .py and .sh.`,
    );
  }
  return { entryPoints: { main: entry }, environment: { kind: 'none', value: null }, warnings: [] };
}

/** MLflow's `Project.get_entry_point`: a declared entry point, or a script path such as `train.py`. */
export function getEntryPoint(project: MLproject, name: string): EntryPoint {
  if (Object.prototype.hasOwnProperty.call(project.entryPoints, name)) return project.entryPoints[name];
  const script = scriptEntryPoint(name, name);
  if (script) return script;
  const known = Object.keys(project.entryPoints);
  throw new MLprojectError(
    `Could not find ${name} among entry points [${known.map((entry) => `'${entry}'`).join(', ')}] or interpret ` +
      `${name} as a runnable script. Supported script file extensions: ['.py', '.sh']`,
  );
}

export interface ResolveOptions {
  /** Pass unknown parameters on as `--name value` after the command, as MLflow does, instead of refusing them. */
  allowUnknown?: boolean;
  /** Checks that a `path` parameter exists (MLflow refuses missing ones); omitted, paths are not checked. */
  pathExists?: (absolutePath: string) => boolean;
}

const URI_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const WINDOWS_DRIVE = /^[A-Za-z]:[\\/]/;

function checkValue(entry: EntryPoint, parameter: EntryPointParameter, value: string, isDefault: boolean, baseDir: string, options: ResolveOptions): string {
  const what = `Parameter '${parameter.name}' of entry point '${entry.name}'${isDefault ? ' (its default)' : ''}`;
  switch (parameter.type) {
    case 'string':
      return value;
    case 'int':
      if (/^\s*[-+]?[0-9]+\s*$/.test(value)) return value;
      throw new MLprojectError(`${what} must be an int (a whole number such as 10), got '${value}'.`);
    case 'float':
      if (/^\s*[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*$/.test(value)) return value;
      throw new MLprojectError(`${what} must be a float (a number such as 0.5), got '${value}'.`);
    case 'uri':
      if (URI_SCHEME.test(value)) return value;
      throw new MLprojectError(`${what} must be a uri (such as s3://bucket/data.csv or file:///data/data.csv), got '${value}'.`);
    case 'path': {
      const scheme = WINDOWS_DRIVE.test(value) ? undefined : URI_SCHEME.exec(value)?.[1].toLowerCase();
      let local = value;
      if (scheme === 'file' && /^file:(?:\/\/\/|\/(?!\/))/i.test(value)) {
        local = decodeURIComponent(value.replace(/^file:(?:\/\/)?/i, ''));
      } else if (scheme !== undefined) {
        throw new MLprojectError(
          `${what} must be a path on this machine, got '${value}'; Trackside does not download remote URIs ` +
            `for path parameters (download it first, or declare the parameter as type uri).`,
        );
      }
      const absolute = path.resolve(baseDir, local);
      if (options.pathExists && !options.pathExists(absolute)) {
        throw new MLprojectError(`${what} must be an existing path, but '${absolute}' was not found.`);
      }
      return absolute;
    }
  }
}

/**
 * Checks and completes the values for an entry point: declared parameters take the given value or
 * their default, each checked against its type (`path` made absolute against `baseDir`); missing
 * required parameters and unknown ones are refused, naming the parameter and the expected type.
 * Values are returned unquoted; `renderCommand` quotes them.
 */
export function resolveEntryPointParameters(
  entry: EntryPoint,
  given: Record<string, string>,
  baseDir: string,
  options: ResolveOptions = {},
): { params: Record<string, string>; extra: Record<string, string> } {
  const declared = Object.values(entry.parameters);
  const has = (name: string): boolean => Object.prototype.hasOwnProperty.call(given, name) && given[name] !== undefined;
  const missing = declared.filter((parameter) => !has(parameter.name) && parameter.default === undefined);
  if (missing.length > 0) {
    throw new MLprojectError(
      `No value given for missing parameters of entry point '${entry.name}': ` +
        `${missing.map((parameter) => `'${parameter.name}' (${parameter.type})`).join(', ')}.`,
    );
  }
  const unknown = Object.keys(given).filter((name) => !Object.prototype.hasOwnProperty.call(entry.parameters, name));
  if (unknown.length > 0 && !options.allowUnknown) {
    const accepted = declared.length > 0 ? declared.map((parameter) => `${parameter.name} (${parameter.type})`).join(', ') : 'no parameters';
    throw new MLprojectError(
      `Unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => `'${name}'`).join(', ')} for entry point ` +
        `'${entry.name}'; it accepts ${accepted}.`,
    );
  }
  const params: Record<string, string> = {};
  for (const parameter of declared) {
    const isDefault = !has(parameter.name);
    const value = isDefault ? (parameter.default as string) : String(given[parameter.name]);
    setOwn(params, parameter.name, checkValue(entry, parameter, value, isDefault, baseDir, options));
  }
  const extra: Record<string, string> = {};
  for (const name of unknown) setOwn(extra, name, String(given[name]));
  return { params, extra };
}
