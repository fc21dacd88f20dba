import * as assert from 'node:assert/strict';
import { parseYaml } from '../../../src/core/yaml/miniYaml';
import { YamlError } from '../../../src/core/yaml/yamlError';
import {
  DOCKER_MLPROJECT,
  DOCS_MLMODEL,
  EXPERIMENT_META_YAML,
  MODEL_CONDA_YAML,
  MODEL_PYTHON_ENV_YAML,
  MULTISTEP_MLPROJECT,
  RUN_META_YAML,
  SKLEARN_MLMODEL,
  WINE_MLPROJECT,
} from './mlflowFiles';

function yamlError(text: string): YamlError {
  try {
    parseYaml(text);
  } catch (error) {
    assert.ok(error instanceof YamlError, `expected a YamlError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${JSON.stringify(text)} to be refused`);
}

describe('parseYaml: MLflow files', () => {
  it('reads an MLmodel with flavors and a signature folded over several lines', () => {
    const model = parseYaml(SKLEARN_MLMODEL) as any;
    assert.equal(model.artifact_path, 'model');
    assert.deepEqual(Object.keys(model.flavors), ['python_function', 'sklearn']);
    assert.equal(model.flavors.python_function.loader_module, 'mlflow.sklearn');
    assert.deepEqual(model.flavors.python_function.env, { conda: 'conda.yaml', virtualenv: 'python_env.yaml' });
    assert.equal(model.flavors.python_function.python_version, '3.11.9');
    assert.equal(model.flavors.sklearn.code, null);
    assert.equal(model.mlflow_version, '2.16.0');
    assert.equal(model.model_size_bytes, 1234);
    assert.equal(model.utc_time_created, '2024-08-14 10:12:01.123456');
    assert.deepEqual(model.metadata, { flag: true, note: 'café ✓', threshold: 0.5 });
    const inputs = JSON.parse(model.signature.inputs);
    assert.deepEqual(
      inputs.map((column: { name: string }) => column.name),
      ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)'],
    );
    assert.deepEqual(JSON.parse(model.signature.outputs), [{ type: 'tensor', 'tensor-spec': { dtype: 'int64', shape: [-1] } }]);
    assert.equal(model.signature.params, null);
  });

  it("reads the MLmodel from MLflow's docs (blank line between keys, unquoted timestamp kept as text)", () => {
    assert.deepEqual(parseYaml(DOCS_MLMODEL), {
      time_created: '2018-05-25T17:28:53.35',
      flavors: {
        sklearn: { sklearn_version: '0.19.1', pickled_model: 'model.pkl' },
        python_function: { loader_module: 'mlflow.sklearn' },
      },
    });
  });

  it('reads MLproject files with flow mappings and a folded double-quoted command', () => {
    const project = parseYaml(MULTISTEP_MLPROJECT) as any;
    assert.equal(project.conda_env, 'conda.yaml');
    assert.deepEqual(Object.keys(project.entry_points), ['load_raw_data', 'etl_data', 'als', 'main']);
    assert.deepEqual(project.entry_points.als.parameters.reg_param, { type: 'float', default: 0.1 });
    assert.equal(project.entry_points.etl_data.parameters.ratings_csv, 'path');
    assert.equal(
      project.entry_points.main.command,
      'python main.py --als-max-iter {als_max_iter} --keras-hidden-units {keras_hidden_units} --max-row-limit {max_row_limit}',
    );
    const docker = parseYaml(DOCKER_MLPROJECT) as any;
    assert.deepEqual(docker.docker_env, {
      image: 'mlflow-docker-example',
      namespace: 'marcusrehm',
      registry: null,
      volumes: ['/local/path:/container/mount/path'],
      environment: [['NEW_ENV_VAR', 'new_var_value'], 'VAR_TO_COPY_FROM_HOST_ENVIRONMENT'],
    });
    assert.deepEqual((parseYaml(WINE_MLPROJECT) as any).entry_points.main.parameters.alpha, { type: 'float', default: 0.5 });
  });

  it('reads conda.yaml and python_env.yaml with sequences at the parent key indentation', () => {
    assert.deepEqual(parseYaml(MODEL_CONDA_YAML), {
      channels: ['conda-forge'],
      dependencies: ['python=3.11.9', 'pip<=24.2', { pip: ['mlflow==2.16.0', 'cloudpickle==3.0.0', 'scikit-learn==1.5.1'] }],
      name: 'mlflow-env',
    });
    assert.deepEqual(parseYaml(MODEL_PYTHON_ENV_YAML), {
      python: '3.11.9',
      build_dependencies: ['pip==24.2', 'setuptools==72.1.0', 'wheel==0.43.0'],
      dependencies: ['-r requirements.txt'],
    });
  });

  it("reads file-store meta.yaml files: URIs, '' strings, quoted ids, millisecond times, empty lists", () => {
    const run = parseYaml(RUN_META_YAML) as any;
    assert.equal(run.artifact_uri, 'file:///home/ana/project/mlruns/0/4af184e8527a4f4a8fc563386807acb2/artifacts');
    assert.equal(run.entry_point_name, '');
    assert.equal(run.experiment_id, '0');
    assert.equal(run.lifecycle_stage, 'active');
    assert.equal(run.start_time, 1700000000000);
    assert.equal(run.status, 3);
    assert.deepEqual(run.tags, []);
    const experiment = parseYaml(EXPERIMENT_META_YAML) as any;
    assert.equal(experiment.experiment_id, '123456789');
    assert.equal(experiment.name, 'iris classifier');
    assert.equal(experiment.creation_time, 1700000000000);
  });
});

describe('parseYaml: scalars', () => {
  it('resolves the YAML 1.2 core schema', () => {
    const value = parseYaml(
      'a: null\nb: ~\nc:\nd: true\ne: False\nf: yes\ng: no\nh: 42\ni: -7\nj: 0x1F\nk: 0o17\n' +
        'l: 1.5\nm: .5\nn: 1e-3\no: -2.5E+3\np: .inf\nq: -.Inf\nr: 1.0.0\ns: 3.10\n',
    ) as any;
    assert.deepEqual({ ...value, p: undefined, q: undefined }, {
      a: null, b: null, c: null, d: true, e: false, f: 'yes', g: 'no', h: 42, i: -7, j: 31, k: 15,
      l: 1.5, m: 0.5, n: 0.001, o: -2500, p: undefined, q: undefined, r: '1.0.0', s: 3.1,
    });
    assert.equal(value.p, Infinity);
    assert.equal(value.q, -Infinity);
    assert.ok(Number.isNaN((parseYaml('x: .nan') as any).x));
  });

  it('reads quoted scalars with escapes, doubled single quotes and unicode', () => {
    assert.deepEqual(parseYaml(String.raw`a: "tab\tnew\nline \"q\" \\ \u00e9 \x41 \U0001F600"` + "\nb: 'it''s # not a comment'\nc: 日本語 ✓\n"), {
      a: 'tab\tnew\nline "q" \\ é A 😀',
      b: "it's # not a comment",
      c: '日本語 ✓',
    });
  });

  it('folds multi-line plain and quoted scalars', () => {
    assert.deepEqual(parseYaml("a: one\n  two\n\n  three\nb: 'x\n  y'\nc: \"p\\\n  q\"\n"), {
      a: 'one two\nthree',
      b: 'x y',
      c: 'pq',
    });
  });

  it('strips comments but keeps # inside words and URLs', () => {
    assert.deepEqual(parseYaml('# header\na: 1 # one\nb: x#y\nc: http://host:5000/#frag\n  # indented comment\n'), {
      a: 1,
      b: 'x#y',
      c: 'http://host:5000/#frag',
    });
  });

  it('reads literal and folded block scalars with each chomping indicator', () => {
    const text = 'lit: |\n  line one\n    indented\n  # kept\n\nfold: >\n  joined\n  words\n\n  new para\n    kept break\n' +
      'strip: |-\n  x\n\nkeep: |+\n  y\n\n\nlast: >-\n  a\n  b\n';
    assert.deepEqual(parseYaml(text), {
      lit: 'line one\n  indented\n# kept\n',
      fold: 'joined words\nnew para\n  kept break\n',
      strip: 'x',
      keep: 'y\n\n\n',
      last: 'a b',
    });
    assert.deepEqual(parseYaml('a: |2\n    two more\n  base\n'), { a: '  two more\nbase\n' });
    assert.deepEqual(parseYaml('a: |\nb: 1\n'), { a: '', b: 1 });
    assert.deepEqual(parseYaml('a: |\n  no final break'), { a: 'no final break' });
    assert.deepEqual(parseYaml('a: |+\n  x\n\n  '), { a: 'x\n\n' });
  });
});

describe('parseYaml: collections and documents', () => {
  it('reads nested block sequences and mappings, including compact forms', () => {
    assert.deepEqual(parseYaml('- a\n- b: 1\n  c: [2, 3]\n- - x\n  - y\n-\n  z: null\n- \n'), [
      'a',
      { b: 1, c: [2, 3] },
      ['x', 'y'],
      { z: null },
      null,
    ]);
  });

  it('reads flow collections over several lines, with trailing commas and JSON', () => {
    assert.deepEqual(parseYaml('a: [1,\n  two, # comment\n  "three",\n]\nb: {"k": [true, null], v: {x: -1}}\nc: {}\nd: []\n'), {
      a: [1, 'two', 'three'],
      b: { k: [true, null], v: { x: -1 } },
      c: {},
      d: [],
    });
  });

  it('keeps keys in insertion order and accepts quoted keys and keys with spaces', () => {
    const value = parseYaml("zeta: 1\n'quoted key': 2\n\"with: colon\": 3\nspaced key: 4\nalpha: 5\n") as object;
    assert.deepEqual(Object.keys(value), ['zeta', 'quoted key', 'with: colon', 'spaced key', 'alpha']);
  });

  it('accepts CRLF and CR line endings, a BOM, a document start and end, and a %YAML directive', () => {
    assert.deepEqual(parseYaml('\uFEFFa: 1\r\nb:\r\n  - x\r\n  - y\r\n'), { a: 1, b: ['x', 'y'] });
    assert.deepEqual(parseYaml('a: 1\rb: 2\r'), { a: 1, b: 2 });
    assert.deepEqual(parseYaml('%YAML 1.2\n---\na: 1\n...\n'), { a: 1 });
    assert.equal(parseYaml('--- plain root'), 'plain root');
    assert.equal(parseYaml('--- |\n  block root\n'), 'block root\n');
  });

  it('reads empty and comment-only documents as null', () => {
    assert.equal(parseYaml(''), null);
    assert.equal(parseYaml('\n\n'), null);
    assert.equal(parseYaml('# nothing here\n'), null);
    assert.equal(parseYaml('---\n'), null);
  });

  it('gives a __proto__ key as an own property without touching the prototype', () => {
    const value = parseYaml('__proto__: {polluted: true}\n') as Record<string, unknown>;
    assert.deepEqual(Object.keys(value), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('parseYaml: errors name the line', () => {
  it('refuses tabs used for indentation', () => {
    const error = yamlError('a:\n\tb: 1\n');
    assert.equal(error.line, 2);
    assert.match(error.message, /^line 2: tab characters must not be used for indentation/);
  });

  it('refuses duplicate keys, bad indentation and a value that looks like a mapping', () => {
    assert.equal(yamlError('a: 1\nb: 2\na: 3\n').message, "line 3: duplicate key 'a'");
    assert.match(yamlError('a:\n  - x\n  y: 1\n').message, /^line 3: unexpected indentation/);
    assert.match(yamlError('a: b: c\n').message, /^line 1: mapping values are not allowed here/);
    assert.match(yamlError('- a\nb: 1\n').message, /^line 2: unexpected content/);
    assert.match(yamlError('a: 1\nb: - x\n').message, /^line 2: a sequence entry/);
  });

  it('refuses what the subset leaves out: anchors, aliases, tags, complex keys, several documents', () => {
    assert.match(yamlError('a: &x 1\n').message, /^line 1: anchors, aliases and tags are not supported/);
    assert.match(yamlError('a: 1\nb: *x\n').message, /^line 2: anchors/);
    assert.match(yamlError('a: !!str 1\n').message, /^line 1: anchors/);
    assert.match(yamlError('? a\n: b\n').message, /^line 1: complex mapping keys/);
    assert.equal(yamlError('a: 1\n---\nb: 2\n').message, 'line 2: only one YAML document is supported');
  });

  it('refuses unterminated strings and flow collections, naming where they start', () => {
    assert.equal(yamlError('a: 1\nb: "open\nc: 2\n').message, 'line 2: unterminated double-quoted string');
    assert.equal(yamlError('x: 0\na: [1, 2\nb: 3\n').message, "line 2: unterminated flow sequence: expected ']'");
    assert.equal(yamlError('a: [[1] 2]\n').message, "line 1: expected ',' or ']' in a flow sequence");
    assert.equal(yamlError('a: {b: 1\n').message, "line 1: unterminated flow mapping: expected '}'");
    assert.match(yamlError("a: 'x' y\n").message, /^line 1: unexpected 'y' after the value/);
    assert.match(yamlError('a: "\\q"\n').message, /^line 1: invalid escape sequence/);
  });
});
