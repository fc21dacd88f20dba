import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  coerceParameterInput,
  parameterType,
  parseParametersCell,
  PipelineParameter,
  renderParameterOverrides,
} from '../../../src/core/pipelines/parametersCell';

const CELL = [
  '# Parameters for training', //                                   1
  'alpha: float = 0.5  # learning rate', //                           2
  'epochs = 10  # number of epochs', //                               3
  'name: str = "iris"', //                                            4
  'use_gpu = False', //                                               5
  '', //                                                              6
  'layers = [64, 32]', //                                             7
  "config = {'optimizer': 'adam', 'betas': [0.9, 0.999]}", //         8
  'data_path = os.getenv("DATA", "iris.csv")  # where the data is', // 9
  'threshold = None  # type: float decision threshold', //            10
  'seed: Optional[int] = None', //                                    11
  'units = [', //                                                     12
  '    16,  # first layer', //                                        13
  '    8,', //                                                        14
  ']  # the units', //                                                15
  'message = "a=b # not a comment"  # real help', //                  16
  "lr: 'float' = 1e-3", //                                            17
].join('\n');

function byName(parameters: PipelineParameter[]): Record<string, PipelineParameter> {
  return Object.fromEntries(parameters.map((parameter) => [parameter.name, parameter]));
}

describe('parseParametersCell', () => {
  const parameters = parseParametersCell(CELL);
  const p = byName(parameters);

  it('finds every assignment, in order, skipping comments and blank lines', () => {
    assert.deepEqual(
      parameters.map((parameter) => parameter.name),
      ['alpha', 'epochs', 'name', 'use_gpu', 'layers', 'config', 'data_path', 'threshold', 'seed', 'units', 'message', 'lr'],
    );
    assert.deepEqual(parameters.map((parameter) => parameter.line), [2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 16, 17]);
  });

  it('reads type hints, defaults and help comments', () => {
    assert.deepEqual(p.alpha, {
      name: 'alpha', typeName: 'float', defaultSource: '0.5', default: 0.5, inferredType: 'float', help: 'learning rate', line: 2,
    });
    assert.deepEqual(p.epochs, { name: 'epochs', defaultSource: '10', default: 10, inferredType: 'int', help: 'number of epochs', line: 3 });
    assert.deepEqual([p.name.typeName, p.name.default, p.name.inferredType, p.name.help], ['str', 'iris', 'str', undefined]);
    assert.deepEqual([p.use_gpu.default, p.use_gpu.inferredType], [false, 'bool']);
    assert.deepEqual([p.layers.default, p.layers.inferredType], [[64, 32], 'list']);
    assert.deepEqual([p.config.default, p.config.inferredType], [{ optimizer: 'adam', betas: [0.9, 0.999] }, 'dict']);
    assert.equal(p.lr.typeName, 'float');
    assert.equal(p.lr.default, 0.001);
  });

  it('keeps the source of values that are not literals, with no parsed default', () => {
    assert.equal(p.data_path.defaultSource, 'os.getenv("DATA", "iris.csv")');
    assert.equal(p.data_path.default, undefined);
    assert.equal(p.data_path.inferredType, 'unknown');
    assert.equal(p.data_path.help, 'where the data is');
  });

  it('reads `# type:` comments and None defaults', () => {
    assert.deepEqual([p.threshold.typeName, p.threshold.default, p.threshold.inferredType, p.threshold.help], ['float', null, 'none', 'decision threshold']);
    assert.deepEqual([p.seed.typeName, p.seed.default, p.seed.inferredType], ['Optional[int]', null, 'none']);
  });

  it('joins a value over several lines and takes the help from its last line, as papermill does', () => {
    assert.deepEqual([p.units.defaultSource, p.units.default, p.units.help], ['[16, 8,]', [16, 8], 'the units']);
  });

  it('does not mistake # or = inside strings for a comment or an assignment', () => {
    assert.deepEqual([p.message.default, p.message.help], ['a=b # not a comment', 'real help']);
  });

  it('skips statements that are not single assignments', () => {
    const source = [
      'import os',
      'x = y = 1',
      'count += 1',
      'flag = a == b',
      'done = 1; other = 2',
      'obj.attr = 3',
      'first, second = 1, 2',
      'if True:',
      '    hidden = 1',
      'print(value=3)',
      '%matplotlib inline',
      'kept = "yes"',
    ].join('\n');
    assert.deepEqual(parseParametersCell(source).map((parameter) => [parameter.name, parameter.defaultSource]), [
      ['flag', 'a == b'],
      ['kept', '"yes"'],
    ]);
  });

  it('reads CRLF sources and unicode names and values; an empty cell has no parameters', () => {
    assert.deepEqual(
      parseParametersCell('taux = 0.1  # taux d’apprentissage\r\nnom = "données"\r\n').map((parameter) => [parameter.name, parameter.default, parameter.help, parameter.line]),
      [['taux', 0.1, 'taux d’apprentissage', 1], ['nom', 'données', undefined, 2]],
    );
    assert.deepEqual(parseParametersCell('größe = 3').map((parameter) => parameter.name), ['größe']);
    assert.deepEqual(parseParametersCell(''), []);
    assert.deepEqual(parseParametersCell('# just a comment\n\n'), []);
  });

  it('gives tuples an unknown type but keeps their source', () => {
    const [shape] = parseParametersCell('shape = (28, 28)');
    assert.deepEqual([shape.defaultSource, shape.default, shape.inferredType], ['(28, 28)', undefined, 'unknown']);
  });
});

describe('parameterType', () => {
  const parameter = (typeName: string | undefined, inferredType: PipelineParameter['inferredType']): PipelineParameter => ({
    name: 'p', defaultSource: '', inferredType, line: 1, ...(typeName ? { typeName } : {}),
  });

  it('prefers an understood annotation, then the inferred type', () => {
    assert.deepEqual(parameterType(parameter('float', 'int')), { type: 'float', nullable: false });
    assert.deepEqual(parameterType(parameter('Optional[int]', 'none')), { type: 'int', nullable: true });
    assert.deepEqual(parameterType(parameter('int | None', 'int')), { type: 'int', nullable: true });
    assert.deepEqual(parameterType(parameter('List[str]', 'list')), { type: 'list', nullable: false });
    assert.deepEqual(parameterType(parameter('typing.Dict[str, int]', 'dict')), { type: 'dict', nullable: false });
    assert.deepEqual(parameterType(parameter('pd.DataFrame', 'str')), { type: 'str', nullable: false });
    assert.deepEqual(parameterType(parameter(undefined, 'none')), { type: 'unknown', nullable: true });
  });
});

describe('coerceParameterInput', () => {
  const p = byName(parseParametersCell(CELL));

  it('accepts values of the declared or inferred type', () => {
    assert.deepEqual(coerceParameterInput(p.alpha, '0.25'), { value: 0.25 });
    assert.deepEqual(coerceParameterInput(p.alpha, ' 1 '), { value: 1 });
    assert.deepEqual(coerceParameterInput(p.alpha, '1e-3'), { value: 0.001 });
    assert.deepEqual(coerceParameterInput(p.alpha, '-inf'), { value: -Infinity });
    assert.deepEqual(coerceParameterInput(p.epochs, '1_000'), { value: 1000 });
    assert.deepEqual(coerceParameterInput(p.use_gpu, 'True'), { value: true });
    assert.deepEqual(coerceParameterInput(p.use_gpu, 'false'), { value: false });
    assert.deepEqual(coerceParameterInput(p.name, 'hello "world" '), { value: 'hello "world" ' });
    assert.deepEqual(coerceParameterInput(p.layers, '[1, 2, 3]'), { value: [1, 2, 3] });
    assert.deepEqual(coerceParameterInput(p.config, '{"optimizer": "sgd", "nesterov": true}'), { value: { optimizer: 'sgd', nesterov: true } });
    assert.deepEqual(coerceParameterInput(p.seed, 'None'), { value: null });
    assert.deepEqual(coerceParameterInput(p.seed, ''), { value: null });
    assert.deepEqual(coerceParameterInput(p.seed, '7'), { value: 7 });
    assert.deepEqual(coerceParameterInput(p.threshold, '0.3'), { value: 0.3 });
  });

  it('takes a literal or else the text for parameters of unknown type', () => {
    assert.deepEqual(coerceParameterInput(p.data_path, 'other.csv'), { value: 'other.csv' });
    assert.deepEqual(coerceParameterInput(p.data_path, '"quoted.csv"'), { value: 'quoted.csv' });
    assert.deepEqual(coerceParameterInput(p.data_path, '5'), { value: 5 });
  });

  it('refuses badly typed values, naming the parameter and the expected type', () => {
    assert.deepEqual(coerceParameterInput(p.alpha, 'fast'), { error: "Parameter 'alpha' expects a float (a number such as 0.5), got 'fast'." });
    assert.deepEqual(coerceParameterInput(p.epochs, '2.5'), { error: "Parameter 'epochs' expects an int (a whole number such as 10), got '2.5'." });
    assert.deepEqual(coerceParameterInput(p.use_gpu, 'maybe'), { error: "Parameter 'use_gpu' expects a bool (True or False), got 'maybe'." });
    assert.deepEqual(coerceParameterInput(p.layers, '{"a": 1}'), { error: "Parameter 'layers' expects a list (such as [1, 2]), got '{\"a\": 1}'." });
    assert.deepEqual(coerceParameterInput(p.seed, 'abc'), { error: "Parameter 'seed' expects an int (a whole number such as 10) or None, got 'abc'." });
    assert.match((coerceParameterInput(p.epochs, '99999999999999999999') as { error: string }).error, /^Parameter 'epochs' expects an int between/);
    assert.deepEqual(coerceParameterInput(p.epochs, ''), { error: "Parameter 'epochs' expects an int (a whole number such as 10), got ''." });
  });
});

describe('renderParameterOverrides', () => {
  const parameters = parseParametersCell(CELL);

  it('writes the papermill-style cell with Python literals, floats keeping a decimal point', () => {
    const source = renderParameterOverrides(parameters, {
      alpha: 1,
      epochs: 20,
      name: 'it\'s "quoted"\nand $HOME `x`',
      use_gpu: true,
      layers: [128, 64],
      config: { optimizer: 'sgd' },
      seed: null,
      threshold: 0.75,
    });
    assert.equal(
      source,
      [
        '# Parameters',
        'alpha = 1.0',
        'epochs = 20',
        String.raw`name = "it's \"quoted\"\nand $HOME ` + '`x`"',
        'use_gpu = True',
        'layers = [128, 64]',
        'config = {"optimizer": "sgd"}',
        'seed = None',
        'threshold = 0.75',
        '',
      ].join('\n'),
    );
  });

  it('is Python that python3 runs, giving back the same values and types', function () {
    const values = { alpha: 2, epochs: 3, name: 'quote \' " \\ $x `y`\nnew line ünï 😀', use_gpu: false, layers: [1, [2.5, null]], config: { 'k"': true } };
    const check = "import json\nprint(json.dumps([alpha, type(alpha).__name__, epochs, type(epochs).__name__, name, use_gpu, layers, config]))\n";
    const result = spawnSync('python3', ['-c', renderParameterOverrides(parameters, values) + check], { encoding: 'utf8' });
    if (result.error) this.skip();
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), [2, 'float', 3, 'int', values.name, false, values.layers, values.config]);
  });

  it('writes non-finite floats as papermill does and skips undefined values', () => {
    assert.equal(renderParameterOverrides(parameters, { alpha: NaN, lr: Infinity, epochs: undefined }), "# Parameters\nalpha = float('nan')\nlr = float('inf')\n");
  });

  it('injects values for names the cell does not declare, as papermill does', () => {
    assert.equal(renderParameterOverrides([], { extra: 'x' }), '# Parameters\nextra = "x"\n');
  });

  it('refuses names that are not Python identifiers', () => {
    assert.throws(() => renderParameterOverrides(parameters, { 'bad-name': 1 }), /'bad-name' is not a valid Python variable name/);
    assert.throws(() => renderParameterOverrides(parameters, { class: 1 }), /'class' is not a valid Python variable name/);
    assert.throws(() => renderParameterOverrides(parameters, { 'x = 1\nimport os; y': 1 }), /not a valid Python variable name/);
  });
});
