import assert from 'node:assert/strict';
import { LIMITS, parseDouble, posixNormpath, validateBatchLimits, validateKey, validateMaxResults } from '../../../src/core/store/validation';
import { TrackingError } from '../../../src/core/store/trackingError';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof TrackingError, `expected a TrackingError, got ${String(e)}`);
    assert.equal(e.code, 'INVALID_PARAMETER_VALUE');
    return e.message;
  }
  assert.fail('expected an error');
}

describe('validation', () => {
  it('normalises paths like Python posixpath.normpath', () => {
    const cases: [string, string][] = [
      ['', '.'], ['a', 'a'], ['a//b', 'a/b'], ['./a', 'a'], ['a/', 'a'], ['a/./b', 'a/b'], ['a/../b', 'b'],
      ['../a', '../a'], ['/a/../..', '/'], ['//a', '//a'], ['///a', '/a'], ['a/b/..', 'a'],
    ];
    for (const [input, expected] of cases) assert.equal(posixNormpath(input), expected, input);
  });

  it('accepts MLflow key characters, unicode word characters included', () => {
    for (const key of ['loss', 'val/loss', 'a b', 'a-b_c.d', 'précision', '精度', 'x1/2/3']) {
      assert.equal(validateKey('metric', key, 'Metric name'), key);
    }
  });

  it('rejects bad characters with MLflow\'s message', () => {
    assert.equal(
      message(() => validateKey('metric', 'bad key!', 'Metric name')),
      "Invalid metric name: 'bad key!'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).",
    );
    assert.match(message(() => validateKey('parameter', 'a:b', 'Param key')), /^Invalid parameter name: 'a:b'/);
    assert.match(message(() => validateKey('tag', 'a\nb', 'Tag key')), /^Invalid tag name/);
  });

  it('rejects keys that are not path-unique', () => {
    for (const key of ['a//b', './a', 'a/', '.', '..', '../a', '/a', '']) {
      assert.match(message(() => validateKey('metric', key, 'Metric name')), /must not resolve to other names/, key);
    }
    assert.match(message(() => validateKey('metric', 'a//b', 'Metric name')), /would resolve to 'a\/b'$/);
  });

  it('rejects missing keys and keys over 250 characters', () => {
    assert.equal(message(() => validateKey('tag', undefined, 'Tag key')), 'Tag name cannot be None. A key name must be provided.');
    const long = 'k'.repeat(251);
    assert.equal(
      message(() => validateKey('parameter', long, 'Param key')),
      `Param key '${'k'.repeat(250)}' had length 251, which exceeded length limit of 250`,
    );
    assert.equal(validateKey('parameter', 'k'.repeat(250), 'Param key').length, 250);
  });

  it('parses doubles as protobuf JSON sends them', () => {
    assert.equal(parseDouble(1.5), 1.5);
    assert.equal(parseDouble('1.5'), 1.5);
    assert.equal(parseDouble('-2e3'), -2000);
    assert.ok(Number.isNaN(parseDouble('NaN')));
    assert.equal(parseDouble('Infinity'), Infinity);
    assert.equal(parseDouble('-Infinity'), -Infinity);
    assert.equal(parseDouble('abc'), undefined);
    assert.equal(parseDouble(''), undefined);
    assert.equal(parseDouble(true), undefined);
    assert.equal(parseDouble(null), undefined);
  });

  it('enforces batch limits with MLflow\'s messages', () => {
    validateBatchLimits(1000, 0, 0);
    validateBatchLimits(900, 50, 50);
    assert.equal(
      message(() => validateBatchLimits(1001, 0, 0)),
      'A batch logging request can contain at most 1000 metrics. Got 1001 metrics. Please split up metrics across multiple requests and try again.',
    );
    assert.match(message(() => validateBatchLimits(0, 101, 0)), /at most 100 params\. Got 101 params/);
    assert.match(message(() => validateBatchLimits(0, 0, 101)), /at most 100 tags\. Got 101 tags/);
    assert.match(message(() => validateBatchLimits(950, 50, 1)), /at most 1000 metrics, params, and tags\. Got 1001/);
  });

  it('checks max_results against the maximum', () => {
    assert.equal(validateMaxResults(undefined, 1000, LIMITS.searchRunsMaxResults), 1000);
    assert.equal(validateMaxResults('20', 1000, LIMITS.searchRunsMaxResults), 20);
    assert.match(message(() => validateMaxResults(50001, 1000, LIMITS.searchRunsMaxResults)), /^Invalid value 50001 for parameter 'max_results' supplied/);
    assert.match(message(() => validateMaxResults('x', 1000, 10)), /max_results/);
  });
});
