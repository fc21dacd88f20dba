import * as assert from 'node:assert/strict';
import { parseYaml, stringifyYaml } from '../../../src/core/yaml/miniYaml';
import { SKLEARN_MLMODEL } from './mlflowFiles';

describe('stringifyYaml', () => {
  it("writes an MLmodel in PyYAML's block layout, keys in insertion order", () => {
    const model = {
      artifact_path: 'model',
      flavors: {
        python_function: { env: { conda: 'conda.yaml' }, loader_module: 'mlflow.sklearn', python_version: '3.11.9' },
        sklearn: { code: null, pickled_model: 'model.pkl' },
      },
      model_size_bytes: 1234,
      signature: { inputs: '[{"type": "double", "name": "x"}]', params: null },
      utc_time_created: '2024-08-14 10:12:01.123456',
      tags: [],
    };
    assert.equal(
      stringifyYaml(model),
      [
        'artifact_path: model',
        'flavors:',
        '  python_function:',
        '    env:',
        '      conda: conda.yaml',
        '    loader_module: mlflow.sklearn',
        '    python_version: 3.11.9',
        '  sklearn:',
        '    code: null',
        '    pickled_model: model.pkl',
        'model_size_bytes: 1234',
        'signature:',
        `  inputs: '[{"type": "double", "name": "x"}]'`,
        '  params: null',
        "utc_time_created: '2024-08-14 10:12:01.123456'",
        'tags: []',
        '',
      ].join('\n'),
    );
  });

  it('puts sequences at the key indentation and mappings inside sequence items on the dash line', () => {
    const conda = { channels: ['conda-forge'], dependencies: ['python=3.11', { pip: ['mlflow', 'numpy'] }], name: 'env' };
    assert.equal(
      stringifyYaml(conda),
      'channels:\n- conda-forge\ndependencies:\n- python=3.11\n- pip:\n  - mlflow\n  - numpy\nname: env\n',
    );
    assert.equal(stringifyYaml([[1, 2], { a: 1, b: [] }]), '- - 1\n  - 2\n- a: 1\n  b: []\n');
  });

  it('quotes strings that would read back as something else, and only those', () => {
    const cases: Array<[string, string]> = [
      ['plain text', 'plain text'],
      ['mlflow.sklearn', 'mlflow.sklearn'],
      ['3.11.9', '3.11.9'],
      ['4af184e8527a4f4a8fc563386807acb2', '4af184e8527a4f4a8fc563386807acb2'],
      ['1_000', "'1_000'"],
      ['1:30', "'1:30'"],
      ['+.inf', "'+.inf'"],
      ['file:///tmp/x', 'file:///tmp/x'],
      ['', "''"],
      ['true', "'true'"],
      ['yes', "'yes'"],
      ['No', "'No'"],
      ['null', "'null'"],
      ['~', "'~'"],
      ['123', "'123'"],
      ['1e5', "'1e5'"],
      ['0o17', "'0o17'"],
      ['3.10', "'3.10'"],
      ['.5', "'.5'"],
      ['2024-01-02', "'2024-01-02'"],
      ['a: b', "'a: b'"],
      ['key:', "'key:'"],
      ['x #y', "'x #y'"],
      ['- item', "'- item'"],
      ['[list]', "'[list]'"],
      ['{map}', "'{map}'"],
      ['*alias', "'*alias'"],
      ['it\'s', "it's"],
      ["'quoted'", "'''quoted'''"],
      [' leading', "' leading'"],
      ['trailing ', "'trailing '"],
      ['line1\nline2', '"line1\\nline2"'],
      ['tab\there', '"tab\\there"'],
      ['bell\x07', '"bell\\a"'],
      ['café 日本 😀', 'café 日本 😀'],
    ];
    for (const [value, written] of cases) {
      assert.equal(stringifyYaml({ k: value }), `k: ${written}\n`, `writing ${JSON.stringify(value)}`);
      assert.deepEqual(parseYaml(stringifyYaml({ k: value })), { k: value }, `reading back ${JSON.stringify(value)}`);
    }
  });

  it('writes numbers, booleans and null as PyYAML does', () => {
    assert.equal(
      stringifyYaml({ i: 1700000000000, f: 0.1, small: 1e-7, big: 1e21, neg: -2.5, inf: Infinity, ninf: -Infinity, nan: NaN, t: true, n: null }),
      'i: 1700000000000\nf: 0.1\nsmall: 1.0e-7\nbig: 1.0e+21\nneg: -2.5\ninf: .inf\nninf: -.inf\nnan: .nan\nt: true\nn: null\n',
    );
  });

  it('writes empty collections and scalars at the top level', () => {
    assert.equal(stringifyYaml({}), '{}\n');
    assert.equal(stringifyYaml([]), '[]\n');
    assert.equal(stringifyYaml('text'), 'text\n');
    assert.equal(stringifyYaml(null), 'null\n');
  });

  it('skips undefined members and writes undefined sequence items as null', () => {
    assert.equal(stringifyYaml({ a: 1, b: undefined, c: [undefined] }), 'a: 1\nc:\n- null\n');
  });

  it('refuses values YAML cannot hold', () => {
    assert.throws(() => stringifyYaml({ when: new Date(0) }), /cannot write a value of type Date/);
    assert.throws(() => stringifyYaml({ f: () => 1 }), TypeError);
  });

  it('round-trips a real MLmodel through parse and stringify', () => {
    const model = parseYaml(SKLEARN_MLMODEL);
    assert.deepEqual(parseYaml(stringifyYaml(model)), model);
  });

  it('round-trips awkward keys and nested values', () => {
    const value = {
      'key with: colon': { '#hash': ['- dash', '', null, true, 0, -0.5, 'multi\nline'] },
      'quote"s': { "it's": { deep: [[], {}, [{ x: 'y' }]] } },
      '': 'empty key',
    };
    assert.deepEqual(parseYaml(stringifyYaml(value)), value);
  });
});
