import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_ENVIRONMENT_FILES, defaultProject, parseMLproject, type MLproject } from './mlproject';
import { MLprojectError } from './mlprojectError';

/** A project on this machine, ready to pick an entry point from. */
export interface LoadedProject {
  /** The folder the command runs in (the project folder, or the lone script's folder). */
  folder: string;
  /** What `mlflow.source.name` records: the project folder, or the lone script. */
  sourceName: string;
  /** The MLproject file read, when there is one. */
  file?: string;
  project: MLproject;
  /**
   * The environment the project asks for and Trackside does not create (python_env, conda_env,
   * docker_env, or a python_env.yaml / conda.yaml in the folder), described; undefined when none.
   */
  environmentRequest?: string;
}

/** The MLproject file of a folder (the name matched without case, as MLflow does), if any. */
export function findMLprojectFile(folder: string): string | undefined {
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch {
    return undefined;
  }
  const name = names.find((entry) => entry.toLowerCase() === 'mlproject');
  return name === undefined ? undefined : path.join(folder, name);
}

function describeEnvironment(folder: string, project: MLproject): string | undefined {
  const environment = project.environment;
  switch (environment.kind) {
    case 'python_env':
      return `a Python environment (python_env: ${environment.value})`;
    case 'conda_env':
      return `a conda environment (conda_env: ${environment.value})`;
    case 'docker_env':
      return `a Docker container (docker_env image: ${environment.value.image})`;
    case 'none': {
      const file = DEFAULT_ENVIRONMENT_FILES.find((name) => fs.existsSync(path.join(folder, name)));
      return file === undefined ? undefined : `the environment in ${file}`;
    }
  }
}

/**
 * Reads the project at `location`: a folder with an MLproject file; a folder without one (its
 * scripts can still be run as entry points, e.g. `train.py`); or a lone `.py` / `.sh` script, run
 * as the `main` entry point. Throws MLprojectError when there is no such folder or file, or when the
 * MLproject file is invalid (naming the file and, for YAML errors, the line).
 */
export function loadProject(location: string): LoadedProject {
  const absolute = path.resolve(location);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(absolute);
  } catch {
    throw new MLprojectError(`There is no project at '${absolute}': give a folder with an MLproject file, or a .py or .sh script.`);
  }
  if (stat.isFile()) {
    if (path.basename(absolute).toLowerCase() === 'mlproject') return loadProject(path.dirname(absolute));
    return { folder: path.dirname(absolute), sourceName: absolute, project: defaultProject(path.basename(absolute)) };
  }
  const file = findMLprojectFile(absolute);
  if (file === undefined) {
    return { folder: absolute, sourceName: absolute, project: { entryPoints: {}, environment: { kind: 'none', value: null }, warnings: [] } };
  }
  let project: MLproject;
  try {
    project = parseMLproject(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new MLprojectError(`The MLproject file ${file} is invalid: ${(error as Error).message}`);
  }
  const loaded: LoadedProject = { folder: absolute, sourceName: absolute, file, project };
  const environmentRequest = describeEnvironment(absolute, project);
  if (environmentRequest !== undefined) loaded.environmentRequest = environmentRequest;
  return loaded;
}
