import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import {
  defaultProject,
  EntryPoint,
  getEntryPoint,
  parseMLproject,
  resolveEntryPointParameters,
} from '../../../src/core/projects/mlproject';
import { MLprojectError } from '../../../src/core/projects/mlprojectError';
import { YamlError } from '../../../src/core/yaml/yamlError';
import { DOCKER_MLPROJECT, MULTISTEP_MLPROJECT, WINE_MLPROJECT } from '../yaml/mlflowFiles';

/** mlflow/tests/resources/example_project/MLproject. */
const EXAMPLE_PROJECT = `conda_env: conda.yaml

entry_points:
  main:
    command: "echo 'Main entry point'"
  greeter:
    parameters:
      greeting: {type: string, default: "hi"}
      name: string
    command: "python greeter.py {greeting} {name}"
  line_count:
    parameters:
      path: path
    command: "cat {path} | wc -l"
  download_uri:
    parameters:
      uri: uri
    command: "curl {uri} | wc -l"
  sleep:
    parameters:
      duration: int
    command: "sleep {duration}"
`;

const BASE = path.resolve('/projects/wine');

function projectError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof MLprojectError, `expected an MLprojectError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected an MLprojectError');
}

describe('parseMLproject', () => {
  it("reads MLflow's example projects: name, entry points, parameters, environment", () => {
    const wine = parseMLproject(WINE_MLPROJECT);
    assert.equal(wine.name, 'tutorial');
    assert.deepEqual(wine.environment, { kind: 'python_env', value: 'python_env.yaml' });
    assert.deepEqual(wine.entryPoints.main, {
      name: 'main',
      command: 'python train.py {alpha} {l1_ratio}',
      parameters: {
        alpha: { name: 'alpha', type: 'float', default: '0.5' },
        l1_ratio: { name: 'l1_ratio', type: 'float', default: '0.1' },
      },
    });
    assert.deepEqual(wine.warnings, []);

    const multistep = parseMLproject(MULTISTEP_MLPROJECT);
    assert.deepEqual(multistep.environment, { kind: 'conda_env', value: 'conda.yaml' });
    assert.deepEqual(Object.keys(multistep.entryPoints), ['load_raw_data', 'etl_data', 'als', 'main']);
    assert.deepEqual(multistep.entryPoints.load_raw_data.parameters, {});
    assert.deepEqual(multistep.entryPoints.etl_data.parameters.ratings_csv, { name: 'ratings_csv', type: 'path' });
    assert.deepEqual(multistep.entryPoints.als.parameters.max_iter, { name: 'max_iter', type: 'int', default: '10' });
  });

  it('reads a docker environment with volumes and environment variables', () => {
    const docker = parseMLproject(DOCKER_MLPROJECT);
    assert.equal(docker.environment.kind, 'docker_env');
    const value = docker.environment.value as { image: string; volumes: string[]; environment: unknown[] };
    assert.equal(value.image, 'mlflow-docker-example');
    assert.deepEqual(value.volumes, ['/local/path:/container/mount/path']);
    assert.deepEqual(value.environment, [['NEW_ENV_VAR', 'new_var_value'], 'VAR_TO_COPY_FROM_HOST_ENVIRONMENT']);
    assert.deepEqual(docker.entryPoints.main.parameters.alpha, { name: 'alpha', type: 'float' });
  });

  it('accepts the short and long parameter forms and writes defaults as Python would', () => {
    const project = parseMLproject(
      'entry_points:\n  main:\n    parameters:\n      a: float\n      b: {type: int, default: 3}\n' +
        '      c:\n        type: string\n        default: hello world\n      d: {default: 1e-3}\n' +
        '      e: {type: string, default: true}\n      f: {type: float, default: null}\n    command: run {a}\n',
    );
    assert.deepEqual(project.entryPoints.main.parameters, {
      a: { name: 'a', type: 'float' },
      b: { name: 'b', type: 'int', default: '3' },
      c: { name: 'c', type: 'string', default: 'hello world' },
      d: { name: 'd', type: 'string', default: '0.001' },
      e: { name: 'e', type: 'string', default: 'True' },
      f: { name: 'f', type: 'float' },
    });
    assert.deepEqual(project.environment, { kind: 'none', value: null });
    assert.equal(project.name, undefined);
  });

  it('reads an unknown parameter type as string, with a warning, as MLflow does', () => {
    const project = parseMLproject('entry_points:\n  main:\n    parameters:\n      n: str\n    command: echo {n}\n');
    assert.equal(project.entryPoints.main.parameters.n.type, 'string');
    assert.deepEqual(project.warnings, [
      "Parameter 'n' of entry point 'main' has type 'str', which is not one of float, int, string, path, uri; it is read as a string, as MLflow does.",
    ]);
  });

  it('refuses invalid projects with messages that say what to fix', () => {
    assert.equal(
      projectError(() => parseMLproject('entry_points:\n  main:\n    parameters:\n      alpha: 0.1\n    command: x\n')),
      "Parameter 'alpha' of entry point 'main' must be a type name (such as 'float') or a mapping like {type: float, default: 0.1}; got 0.1.",
    );
    assert.equal(
      projectError(() => parseMLproject('entry_points:\n  main:\n    parameters: {}\n')),
      `Entry point 'main' has no 'command' (a string such as "python train.py {alpha}").`,
    );
    assert.equal(
      projectError(() => parseMLproject('conda_env: conda.yaml\npython_env: python_env.yaml\n')),
      'Project cannot contain multiple environment fields: python_env, conda_env',
    );
    assert.equal(
      projectError(() => parseMLproject('docker_env:\n  volumes: []\n')),
      'Project configuration (MLproject file) was invalid: Docker environment specified but no image attribute found.',
    );
    assert.match(projectError(() => parseMLproject('docker_env:\n  image: x\n  volumes: /a:/b\n')), /Docker volumes must be a list of strings/);
    assert.match(projectError(() => parseMLproject('- a\n- b\n')), /must be a YAML mapping/);
    assert.throws(() => parseMLproject('name: x\n\tentry_points: {}\n'), YamlError);
  });

  it('reads an empty MLproject as a project with no entry points', () => {
    assert.deepEqual(parseMLproject(''), { entryPoints: {}, environment: { kind: 'none', value: null }, warnings: [] });
  });
});

describe('defaultProject and getEntryPoint', () => {
  it('runs a .py file with python and a .sh file with bash, quoting the file name', () => {
    assert.equal(defaultProject('train.py').entryPoints.main.command, 'python train.py');
    assert.equal(defaultProject('scripts/run all.sh').entryPoints.main.command, "bash 'scripts/run all.sh'");
    assert.deepEqual(defaultProject('train.py').environment, { kind: 'none', value: null });
    assert.match(projectError(() => defaultProject('notes.txt')), /supported script file extensions are \.py and \.sh/);
  });

  it('finds declared entry points, or a script named like an entry point, else refuses as MLflow does', () => {
    const project = parseMLproject(EXAMPLE_PROJECT);
    assert.equal(getEntryPoint(project, 'greeter').command, 'python greeter.py {greeting} {name}');
    assert.equal(getEntryPoint(project, 'other.py').command, 'python other.py');
    assert.equal(
      projectError(() => getEntryPoint(project, 'missing')),
      "Could not find missing among entry points ['main', 'greeter', 'line_count', 'download_uri', 'sleep'] or interpret " +
        "missing as a runnable script. Supported script file extensions: ['.py', '.sh']",
    );
  });
});

describe('resolveEntryPointParameters', () => {
  const project = parseMLproject(EXAMPLE_PROJECT);
  const wine = parseMLproject(WINE_MLPROJECT).entryPoints.main;
  const entry = (name: string): EntryPoint => project.entryPoints[name];

  it('fills in defaults and keeps given values', () => {
    assert.deepEqual(resolveEntryPointParameters(wine, {}, BASE), { params: { alpha: '0.5', l1_ratio: '0.1' }, extra: {} });
    assert.deepEqual(resolveEntryPointParameters(wine, { alpha: '0.9' }, BASE).params, { alpha: '0.9', l1_ratio: '0.1' });
    assert.deepEqual(resolveEntryPointParameters(entry('greeter'), { name: "O'Brien & co" }, BASE).params, { greeting: 'hi', name: "O'Brien & co" });
  });

  it('refuses missing required parameters, naming each with its type', () => {
    assert.equal(
      projectError(() => resolveEntryPointParameters(entry('greeter'), {}, BASE)),
      "No value given for missing parameters of entry point 'greeter': 'name' (string).",
    );
  });

  it('refuses badly typed values, naming the parameter and the expected type', () => {
    assert.equal(
      projectError(() => resolveEntryPointParameters(wine, { alpha: 'high' }, BASE)),
      "Parameter 'alpha' of entry point 'main' must be a float (a number such as 0.5), got 'high'.",
    );
    assert.equal(
      projectError(() => resolveEntryPointParameters(entry('sleep'), { duration: '1.5' }, BASE)),
      "Parameter 'duration' of entry point 'sleep' must be an int (a whole number such as 10), got '1.5'.",
    );
    assert.equal(
      projectError(() => resolveEntryPointParameters(entry('download_uri'), { uri: 'data.csv' }, BASE)),
      "Parameter 'uri' of entry point 'download_uri' must be a uri (such as s3://bucket/data.csv or file:///data/data.csv), got 'data.csv'.",
    );
    const badDefault = parseMLproject('entry_points:\n  main:\n    parameters:\n      n: {type: int, default: many}\n    command: x {n}\n');
    assert.match(projectError(() => resolveEntryPointParameters(badDefault.entryPoints.main, {}, BASE)), /^Parameter 'n' of entry point 'main' \(its default\) must be an int/);
  });

  it('accepts the number forms MLflow users write', () => {
    for (const value of ['1', '-2', '+3.5', '.5', '5.', '1e-3', '2.5E+10']) {
      assert.equal(resolveEntryPointParameters(wine, { alpha: value }, BASE).params.alpha, value);
    }
    assert.equal(resolveEntryPointParameters(entry('sleep'), { duration: '30' }, BASE).params.duration, '30');
  });

  it('refuses unknown parameters unless allowed, then passes them on as extras', () => {
    assert.equal(
      projectError(() => resolveEntryPointParameters(wine, { alpha: '1', momentum: '0.9' }, BASE)),
      "Unknown parameter 'momentum' for entry point 'main'; it accepts alpha (float), l1_ratio (float).",
    );
    assert.equal(
      projectError(() => resolveEntryPointParameters(entry('main'), { a: '1', b: '2' }, BASE)),
      "Unknown parameters 'a', 'b' for entry point 'main'; it accepts no parameters.",
    );
    assert.deepEqual(resolveEntryPointParameters(wine, { momentum: '0.9' }, BASE, { allowUnknown: true }), {
      params: { alpha: '0.5', l1_ratio: '0.1' },
      extra: { momentum: '0.9' },
    });
  });

  it('makes path parameters absolute against the base folder and reads file: URIs', () => {
    assert.equal(resolveEntryPointParameters(entry('line_count'), { path: 'data/ratings.csv' }, BASE).params.path, path.join(BASE, 'data/ratings.csv'));
    assert.equal(resolveEntryPointParameters(entry('line_count'), { path: '../shared/x.csv' }, BASE).params.path, path.resolve(BASE, '../shared/x.csv'));
    assert.equal(resolveEntryPointParameters(entry('line_count'), { path: '/abs/x.csv' }, BASE).params.path, path.resolve('/abs/x.csv'));
    assert.equal(resolveEntryPointParameters(entry('line_count'), { path: 'file:///data/my%20file.csv' }, BASE).params.path, path.resolve('/data/my file.csv'));
  });

  it('refuses remote URIs and, when asked to check, missing files for path parameters', () => {
    assert.match(
      projectError(() => resolveEntryPointParameters(entry('line_count'), { path: 's3://bucket/x.csv' }, BASE)),
      /^Parameter 'path' of entry point 'line_count' must be a path on this machine, got 's3:\/\/bucket\/x.csv'/,
    );
    const exists = (candidate: string): boolean => candidate === path.join(BASE, 'present.csv');
    assert.equal(resolveEntryPointParameters(entry('line_count'), { path: 'present.csv' }, BASE, { pathExists: exists }).params.path, path.join(BASE, 'present.csv'));
    assert.equal(
      projectError(() => resolveEntryPointParameters(entry('line_count'), { path: 'absent.csv' }, BASE, { pathExists: exists })),
      `Parameter 'path' of entry point 'line_count' must be an existing path, but '${path.join(BASE, 'absent.csv')}' was not found.`,
    );
  });
});
