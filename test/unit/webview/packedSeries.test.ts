import assert from 'node:assert/strict';
import { packedBytes, packSeries, unpackSeries } from '../../../src/shared/charts/packedSeries';
import { emptyColumns, type SeriesColumns } from '../../../src/shared/charts/seriesColumns';

function build(runId: string, key: string, n: number, value: (i: number) => number, options: { stepOffset?: number; time?: (i: number) => number; exact?: boolean } = {}): SeriesColumns {
  const s = emptyColumns(runId, key, n, options.exact ?? false);
  for (let i = 0; i < n; i++) {
    s.steps[i] = (options.stepOffset ?? 0) + i * 17;
    s.times[i] = options.time ? options.time(i) : 1_700_000_000_000 + i * 1234;
    s.last[i] = value(i);
    s.min[i] = options.exact ? value(i) : value(i) - 0.5;
    s.max[i] = options.exact ? value(i) : value(i) + 0.5;
  }
  s.minStep = s.steps[0];
  s.maxStep = s.steps[n - 1];
  return s;
}

describe('packed series (host → chart webview)', () => {
  it('round-trips steps and times exactly and values to float32 precision', () => {
    const original = build('a', 'loss', 300, (i) => Math.sin(i / 10) * 3.7);
    const [back] = unpackSeries(packSeries([original]));
    assert.deepEqual([...back.steps], [...original.steps]);
    assert.deepEqual([...back.times], [...original.times]);
    for (let i = 0; i < 300; i++) assert.ok(Math.abs(back.last[i] - original.last[i]) <= Math.abs(original.last[i]) * 1e-7 + 1e-12, `value ${i}`);
    assert.equal(back.minStep, 0);
    assert.equal(back.maxStep, 299 * 17);
    assert.equal(back.runId, 'a');
  });

  it('sends steps and times once when several series share them', () => {
    const list = [build('a', 'loss', 500, (i) => i), build('a', 'accuracy', 500, (i) => 1 / (i + 1)), build('b', 'loss', 500, (i) => i * 2, { time: (i) => 5 + i })];
    const packed = packSeries(list);
    assert.equal(packed[1].stepsFrom, 0, 'same run: same steps');
    assert.equal(packed[1].timesFrom, 0, 'same run: same times');
    assert.equal(packed[2].stepsFrom, 0, 'same steps in another run');
    assert.equal(packed[2].timesFrom, undefined, 'other times are sent');
    const back = unpackSeries(packed);
    assert.deepEqual([...back[2].steps], [...list[2].steps]);
    assert.deepEqual([...back[2].times], [...list[2].times]);
  });

  it('keeps float64 where float32 would overflow or flatten the series', () => {
    const huge = build('a', 'big', 10, (i) => 1e300 * (i + 1));
    const flat = build('a', 'epoch_ms', 10, (i) => 1_700_000_000_000 + i);
    const [h, f] = unpackSeries(packSeries([huge, flat]));
    assert.equal(h.last[3], 4e300);
    assert.deepEqual([...f.last], [...flat.last]);
  });

  it('leaves min and max out of exact series', () => {
    const [packed] = packSeries([build('a', 'x', 50, (i) => i, { exact: true })]);
    assert.equal(packed.min, undefined);
    const [back] = unpackSeries([packed]);
    assert.deepEqual([...back.max], [...back.last]);
  });

  it('fits 50 series at one bucket per two pixels of a full-width chart in under 0.5 MB', () => {
    const list = Array.from({ length: 50 }, (_, r) => build(`run${r}`, 'loss', 600, (i) => Math.exp(-i / 200) + r / 100, { time: (i) => 1_700_000_000_000 + r * 1e7 + i * (900 + r) }));
    const bytes = packedBytes(packSeries(list));
    assert.ok(bytes < 500_000, `${bytes} bytes`);
    assert.ok(bytes > 50 * 600 * 12, 'times, last, min and max are all sent');
  });

  it('handles steps beyond 2^32 from the base and empty series', () => {
    const wide = build('a', 'x', 3, (i) => i);
    wide.steps.set([0, 5e9, 1e10]);
    const [back, empty] = unpackSeries(packSeries([wide, emptyColumns('b', 'x', 0)]));
    assert.deepEqual([...back.steps], [0, 5e9, 1e10]);
    assert.equal(empty.steps.length, 0);
  });
});
