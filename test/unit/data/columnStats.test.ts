import * as assert from 'node:assert/strict';
import { binCounts, ColumnStatsCollector, countAtMost, parseFiniteNumber, profileRows, quantileSorted } from '../../../src/core/data/columnStats';
import { sortFloat64 } from '../../../src/core/data/sortFloat64';
import { SeededRandom } from '../monitoring/seededRandom';

describe('columnStats', () => {
  it('types columns: numeric when every non-null value is a finite number, categorical otherwise', () => {
    const profile = profileRows(
      ['n', 'c', 'mixed', 'empty'],
      [
        ['1', 'red', '1', ''],
        ['2.5', 'blue', 'x', ''],
        ['-3e2', 'red', '2', ''],
      ],
    );
    assert.deepEqual(
      profile.columns.map((column) => column.kind),
      ['numeric', 'categorical', 'categorical', 'numeric'],
    );
    assert.equal(profile.rowCount, 3);
  });

  it('counts nulls: empty, blank and the usual NA tokens, without spoiling a numeric column', () => {
    const profile = profileRows(['v'], [['1'], [''], ['  '], ['NA'], ['NaN'], ['null'], ['None'], ['4']]);
    const column = profile.columns[0];
    assert.equal(column.kind, 'numeric');
    assert.equal(column.nullCount, 6);
    assert.equal(column.nullRate, 6 / 8);
    assert.equal(column.valueCount, 2);
    assert.deepEqual([...(column.sortedValues as Float64Array)], [1, 4]);
  });

  it('uses only the null tokens it is given', () => {
    const profile = profileRows(['v'], [['1'], ['NA'], ['missing']], { nullTokens: ['missing'] });
    assert.equal(profile.columns[0].kind, 'categorical', '"NA" is a value now');
    assert.equal(profile.columns[0].nullCount, 1);
  });

  it('computes mean, sample std, min and max that match a two-pass computation', () => {
    const random = new SeededRandom(7);
    const values = random.normals(10_000, 1e6, 3);
    const collector = new ColumnStatsCollector(['x']);
    for (let start = 0; start < values.length; start += 999) {
      collector.add(values.slice(start, start + 999).map((value) => [String(value)]));
    }
    const column = collector.finish().columns[0];
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
    assert.ok(Math.abs((column.mean as number) - mean) < 1e-6, `mean ${column.mean} vs ${mean}`);
    assert.ok(Math.abs((column.std as number) - Math.sqrt(variance)) < 1e-9, `std ${column.std} vs ${Math.sqrt(variance)}`);
    assert.equal(column.min, Math.min(...values));
    assert.equal(column.max, Math.max(...values));
    const sortedValues = column.sortedValues as Float64Array;
    assert.equal(sortedValues.length, 10_000);
    for (let index = 1; index < sortedValues.length; index++) {
      assert.ok(sortedValues[index - 1] <= sortedValues[index], 'ascending');
    }
  });

  it('gives std 0 for one value and NaN moments for none', () => {
    const profile = profileRows(['one', 'none'], [['5', '']]);
    assert.equal(profile.columns[0].std, 0);
    assert.equal(profile.columns[0].mean, 5);
    assert.ok(Number.isNaN(profile.columns[1].mean as number));
  });

  it('turns a numeric column categorical when text appears late, keeping earlier values as counts', () => {
    const collector = new ColumnStatsCollector(['code']);
    collector.add([['1'], ['2'], ['1']]);
    collector.add([['A'], ['1']]);
    const column = collector.finish().columns[0];
    assert.equal(column.kind, 'categorical');
    assert.deepEqual([...(column.categories as Map<string, number>)], [
      ['1', 3],
      ['2', 1],
      ['A', 1],
    ]);
    assert.equal(column.valueCount, 5);
    assert.equal(column.sortedValues, undefined);
  });

  it('counts categories up to the cap and the rest as other', () => {
    const column = profileRows(['c'], [['a'], ['b'], ['c'], ['a'], ['d']], { maxCategories: 2 }).columns[0];
    assert.deepEqual([...(column.categories as Map<string, number>)], [
      ['a', 2],
      ['b', 1],
    ]);
    assert.equal(column.otherCount, 2);
    assert.equal(column.valueCount, 5);
  });

  it('keeps up to five distinct examples', () => {
    const column = profileRows(['c'], [['a'], ['a'], [''], ['b'], ['c'], ['d'], ['e'], ['f']]).columns[0];
    assert.deepEqual(column.examples, ['a', 'b', 'c', 'd', 'e']);
  });

  it('parses numbers exactly as Number() does, and refuses what is not a finite decimal', () => {
    for (const text of ['0', '-0', '12', '+7', '3.14159', '-0.001', '.5', '5.', '1e3', '-2.5E-4', '  42 ', '0.1', '123456789012345', '1234567890.123456789', '9007199254740993']) {
      assert.ok(Object.is(parseFiniteNumber(text), Number(text)), `${JSON.stringify(text)}: ${parseFiniteNumber(text)} vs ${Number(text)}`);
    }
    for (const text of ['', ' ', '.', '-', 'abc', '1,5', '1.2.3', '--1', 'Infinity', '-Infinity', 'NaN', '0x1A', ' 0x1A', '0b101', '0o17', '1e400', '1_000']) {
      assert.ok(Number.isNaN(parseFiniteNumber(text)), `${JSON.stringify(text)} is not a number`);
    }
  });

  it('matches Number() on random decimal texts, including ones past the fast path', () => {
    const random = new SeededRandom(11);
    for (let trial = 0; trial < 20_000; trial++) {
      const digits = 1 + Math.floor(random.next() * 19);
      let text = '';
      for (let index = 0; index < digits; index++) {
        text += Math.floor(random.next() * 10);
      }
      const point = Math.floor(random.next() * (digits + 2));
      if (point <= digits) {
        text = `${text.slice(0, point)}.${text.slice(point)}`;
      }
      if (random.next() < 0.3) {
        text = `-${text}`;
      }
      const expected = text === '.' || text === '-.' ? NaN : Number(text);
      assert.ok(Object.is(parseFiniteNumber(text), expected), `${text}: ${parseFiniteNumber(text)} vs ${expected}`);
    }
  });

  it('interpolates quantiles as numpy does', () => {
    const values = Float64Array.from([1, 2, 3, 4]);
    assert.equal(quantileSorted(values, 0), 1);
    assert.equal(quantileSorted(values, 0.5), 2.5);
    assert.equal(quantileSorted(values, 0.1), 1.3);
    assert.equal(quantileSorted(values, 1), 4);
    assert.ok(Number.isNaN(quantileSorted(new Float64Array(0), 0.5)));
  });

  it('counts values into right-closed bins', () => {
    const values = Float64Array.from([1, 2, 2, 3, 5, 8]);
    assert.equal(countAtMost(values, 2), 3);
    assert.equal(countAtMost(values, 0), 0);
    assert.deepEqual(binCounts(values, [2, 4]), [3, 1, 2]);
    assert.deepEqual(binCounts(values, []), [6]);
  });

  it('radix-sorts doubles exactly as the built-in sort does', () => {
    const random = new SeededRandom(3);
    for (const length of [0, 5, 3000, 100_000]) {
      const values = Float64Array.from({ length }, (_, index) => {
        const choice = index % 9;
        if (choice === 0) {
          return 0;
        }
        if (choice === 1) {
          return -0;
        }
        const magnitude = 10 ** Math.floor(random.next() * 60 - 30);
        return (random.next() - 0.5) * magnitude;
      });
      const expected = values.slice().sort();
      const actual = sortFloat64(values.slice());
      assert.equal(actual.length, length);
      for (let index = 0; index < length; index++) {
        assert.ok(Object.is(actual[index], expected[index]), `length ${length}, index ${index}: ${actual[index]} vs ${expected[index]}`);
      }
    }
  });
});
