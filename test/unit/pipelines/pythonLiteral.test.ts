import * as assert from 'node:assert/strict';
import { parsePythonLiteral, pythonFloatRepr, renderPythonLiteral } from '../../../src/core/pipelines/pythonLiteral';

describe('parsePythonLiteral', () => {
  it('reads numbers with their kind', () => {
    const cases: Array<[string, string, number]> = [
      ['42', 'int', 42],
      ['-7', 'int', -7],
      ['1_000_000', 'int', 1000000],
      ['0x1F', 'int', 31],
      ['0o17', 'int', 15],
      ['0b101', 'int', 5],
      ['0', 'int', 0],
      ['0.5', 'float', 0.5],
      ['.5', 'float', 0.5],
      ['5.', 'float', 5],
      ['1e-3', 'float', 0.001],
      ['-2.5E+3', 'float', -2500],
      ['10.0', 'float', 10],
    ];
    for (const [source, kind, value] of cases) assert.deepEqual(parsePythonLiteral(source), { kind, value }, source);
    assert.deepEqual(parsePythonLiteral("float('inf')"), { kind: 'float', value: Infinity });
    assert.deepEqual(parsePythonLiteral('float("-inf")'), { kind: 'float', value: -Infinity });
    assert.ok(Number.isNaN(parsePythonLiteral("float('nan')")?.value));
  });

  it('reads strings: both quotes, escapes, raw, triple-quoted, implicit concatenation, unicode', () => {
    assert.deepEqual(parsePythonLiteral(`'it\\'s'`), { kind: 'str', value: "it's" });
    assert.deepEqual(parsePythonLiteral(`"tab\\tnew\\nline \\x41 \\u00e9 \\U0001F600 \\101"`), { kind: 'str', value: 'tab\tnew\nline A é 😀 A' });
    assert.deepEqual(parsePythonLiteral(String.raw`r"C:\data\new"`), { kind: 'str', value: String.raw`C:\data\new` });
    assert.deepEqual(parsePythonLiteral('"""multi\nline"""'), { kind: 'str', value: 'multi\nline' });
    assert.deepEqual(parsePythonLiteral(`"a" 'b'`), { kind: 'str', value: 'ab' });
    assert.deepEqual(parsePythonLiteral(`u"données"`), { kind: 'str', value: 'données' });
    assert.deepEqual(parsePythonLiteral(String.raw`"unknown \d escape"`), { kind: 'str', value: String.raw`unknown \d escape` });
  });

  it('reads True, False, None and collections of literals', () => {
    assert.deepEqual(parsePythonLiteral('True'), { kind: 'bool', value: true });
    assert.deepEqual(parsePythonLiteral('None'), { kind: 'none', value: null });
    assert.deepEqual(parsePythonLiteral("[1, 'two', [3.5, None], ]"), { kind: 'list', value: [1, 'two', [3.5, null]] });
    assert.deepEqual(parsePythonLiteral("{'lr': 0.1, \"layers\": [64, 32]}"), { kind: 'dict', value: { lr: 0.1, layers: [64, 32] } });
    assert.deepEqual(parsePythonLiteral('(1, 2)'), { kind: 'tuple', value: [1, 2] });
    assert.deepEqual(parsePythonLiteral('(1,)'), { kind: 'tuple', value: [1] });
    assert.deepEqual(parsePythonLiteral('(3)'), { kind: 'int', value: 3 });
    assert.deepEqual(parsePythonLiteral('[\n  1,\n  2,\n]'), { kind: 'list', value: [1, 2] });
  });

  it('accepts JSON words only when asked', () => {
    assert.equal(parsePythonLiteral('true'), undefined);
    assert.deepEqual(parsePythonLiteral('[true, null]', { json: true }), { kind: 'list', value: [true, null] });
  });

  it('refuses what is not a literal', () => {
    for (const source of ['x', 'np.pi', 'f"{x}"', "b'bytes'", '1 + 2', 'float(3)', '{1, 2}', '{1: "a"}', '007', '1j', '[1, 2', '"open', 'os.getenv("X")', '']) {
      assert.equal(parsePythonLiteral(source), undefined, source);
    }
  });
});

describe('pythonFloatRepr', () => {
  it("matches Python's repr()", () => {
    const cases: Array<[number, string]> = [
      [1, '1.0'], [0.1, '0.1'], [-2.5, '-2.5'], [1e-5, '1e-05'], [0.0001, '0.0001'], [1e15, '1000000000000000.0'],
      [1e16, '1e+16'], [1.5e300, '1.5e+300'], [2.5e-7, '2.5e-07'], [123456789012345678, '1.2345678901234568e+17'],
      [0, '0.0'], [-0, '-0.0'], [NaN, "float('nan')"], [Infinity, "float('inf')"], [-Infinity, "float('-inf')"],
    ];
    for (const [value, repr] of cases) assert.equal(pythonFloatRepr(value), repr, String(value));
  });
});

describe('renderPythonLiteral', () => {
  it('writes Python source for each kind of value', () => {
    assert.equal(renderPythonLiteral(null), 'None');
    assert.equal(renderPythonLiteral(true), 'True');
    assert.equal(renderPythonLiteral(false), 'False');
    assert.equal(renderPythonLiteral(3), '3');
    assert.equal(renderPythonLiteral(3, true), '3.0');
    assert.equal(renderPythonLiteral(0.25), '0.25');
    assert.equal(renderPythonLiteral(1e21), '1000000000000000000000');
    assert.equal(renderPythonLiteral([1, 'a', null]), '[1, "a", None]');
    assert.equal(renderPythonLiteral({ lr: 0.1, tags: ['x'] }), '{"lr": 0.1, "tags": ["x"]}');
  });

  it('escapes strings so Python reads back the same text', () => {
    assert.equal(renderPythonLiteral('say "hi"\\now'), String.raw`"say \"hi\"\\now"`);
    assert.equal(renderPythonLiteral("it's\nnew\tline\r\x00"), String.raw`"it's\nnew\tline\r\x00"`);
    assert.equal(renderPythonLiteral('données 😀'), '"données 😀"');
    assert.equal(renderPythonLiteral('\u2028'), String.raw`"\u2028"`);
  });

  it('round-trips through parsePythonLiteral', () => {
    const values = ['', 'quote " and \' and \\', 'ünï\ncode\t😀', [1, [2, { a: null }]], { 'k"ey': false }];
    for (const value of values) assert.deepEqual(parsePythonLiteral(renderPythonLiteral(value))?.value, value);
  });

  it('refuses values that have no Python literal', () => {
    assert.throws(() => renderPythonLiteral(() => 1), TypeError);
    assert.throws(() => renderPythonLiteral(new Map()), TypeError);
  });
});
