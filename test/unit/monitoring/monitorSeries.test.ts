import assert from 'node:assert/strict';
import { performanceMetricKeys } from '../../../src/core/monitoring/performanceRun';
import {
  byTime,
  chartedKeys,
  compareVersions,
  describeChecks,
  formatCheckValue,
  latestValues,
  lowerIsBetter,
  metricLabel,
  monitorSeries,
  PERFORMANCE_COUNT_KEYS,
  PERFORMANCE_QUALITY_KEYS,
  seriesOf,
  versionsOf,
} from '../../../src/shared/monitor/monitorSeries';
import { formatTimeTick, tickStep, timeRange, timeTicks } from '../../../src/shared/monitor/timeAxis';
import type { MonitorCheck } from '../../../src/shared/protocol/monitorProtocol';

const DAY = 86_400_000;
const T0 = new Date(2024, 4, 1, 9, 30).getTime();

function check(runId: string, version: string, day: number, metrics: Record<string, number>): MonitorCheck {
  return { runId, runName: `performance ${runId}`, experimentId: '1', version, time: T0 + day * DAY, status: 'FINISHED', metrics };
}

/** Weekly checks of v1 (accuracy sliding), v2 from day 14, v10 once; given out of order. */
const CHECKS: MonitorCheck[] = [
  check('c', '1', 14, { 'perf.accuracy': 0.84, 'perf.f1': 0.8, 'perf.rows': 2000, 'perf.skipped_rows': 3 }),
  check('a', '1', 0, { 'perf.accuracy': 0.91, 'perf.f1': 0.88, 'perf.rows': 2000, 'perf.skipped_rows': 0 }),
  check('e', '10', 21, { 'perf.accuracy': 0.95, 'perf.f1': NaN, 'perf.rows': 500 }),
  check('b', '1', 7, { 'perf.accuracy': 0.88, 'perf.f1': 0.85, 'perf.rows': 2000 }),
  check('d', '2', 14, { 'perf.accuracy': 0.93, 'perf.f1': 0.9, 'perf.rows': 2000 }),
];

describe('monitor series (performance checks per metric and version)', () => {
  it('charts the quality metrics the checks have, in the order of performanceMetricKeys, without the counts', () => {
    assert.deepEqual(chartedKeys(CHECKS), ['perf.accuracy', 'perf.f1']);
    const regression = [check('r', '1', 0, { 'perf.r2': 0.7, 'perf.rmse': 1.2, 'perf.mae': 0.9, 'perf.rows': 40, 'perf.custom': 1 })];
    assert.deepEqual(chartedKeys(regression), ['perf.rmse', 'perf.mae', 'perf.r2', 'perf.custom']);
    assert.deepEqual(chartedKeys([]), []);
  });

  it('knows every key a performance check logs (the same list as performanceRun)', () => {
    assert.deepEqual([...PERFORMANCE_QUALITY_KEYS, ...PERFORMANCE_COUNT_KEYS], [...performanceMetricKeys]);
  });

  it('orders versions as numbers (2 before 10), then as text', () => {
    assert.deepEqual(versionsOf(CHECKS), ['1', '2', '10']);
    assert.deepEqual(['b', '10', 'a', '2'].sort(compareVersions), ['2', '10', 'a', 'b']);
  });

  it('groups the checks of a metric into one series per version, oldest check first', () => {
    assert.deepEqual(seriesOf(CHECKS, 'perf.accuracy'), [
      {
        version: '1',
        points: [
          { x: T0, y: 0.91, runId: 'a' },
          { x: T0 + 7 * DAY, y: 0.88, runId: 'b' },
          { x: T0 + 14 * DAY, y: 0.84, runId: 'c' },
        ],
      },
      { version: '2', points: [{ x: T0 + 14 * DAY, y: 0.93, runId: 'd' }] },
      { version: '10', points: [{ x: T0 + 21 * DAY, y: 0.95, runId: 'e' }] },
    ]);
  });

  it('leaves out checks without the metric or with a NaN value (a version with none has no series)', () => {
    const f1 = seriesOf(CHECKS, 'perf.f1');
    assert.deepEqual(f1.map((s) => [s.version, s.points.map((p) => p.runId)]), [
      ['1', ['a', 'b', 'c']],
      ['2', ['d']],
    ]);
    assert.deepEqual(seriesOf(CHECKS, 'perf.rmse'), []);
  });

  it('builds every charted metric at once, and the latest value per version', () => {
    const all = monitorSeries(CHECKS);
    assert.deepEqual(all.map((m) => [m.key, m.versions.length]), [
      ['perf.accuracy', 3],
      ['perf.f1', 2],
    ]);
    assert.deepEqual([...latestValues(CHECKS, 'perf.accuracy')], [
      ['1', 0.84],
      ['2', 0.93],
      ['10', 0.95],
    ]);
  });

  it('sorts checks by time, ties by run id', () => {
    assert.deepEqual(byTime(CHECKS).map((c) => c.runId), ['a', 'b', 'c', 'd', 'e']);
    const tie = [check('z', '1', 0, {}), check('y', '2', 0, {})];
    assert.deepEqual(byTime(tie).map((c) => c.runId), ['y', 'z']);
  });

  it('names metrics and says which way is better', () => {
    assert.deepEqual(['perf.accuracy', 'perf.f1', 'perf.rmse', 'perf.r2', 'perf.custom'].map(metricLabel), ['Accuracy', 'F1', 'RMSE', 'R²', 'custom']);
    assert.equal(lowerIsBetter('perf.rmse'), true);
    assert.equal(lowerIsBetter('perf.accuracy'), false);
  });

  it('shows scores to 4 significant digits and counts whole', () => {
    assert.deepEqual([0.925165, 0.9, 2000, NaN, undefined, 1.23456e-5].map(formatCheckValue), ['0.9252', '0.9', '2000', 'NaN', '—', '0.00001235']);
  });

  it('summarises the checks in a few words', () => {
    assert.equal(describeChecks(CHECKS), '5 checks of 3 versions');
    assert.equal(describeChecks(CHECKS.slice(0, 1)), '1 check of version 1');
    assert.equal(describeChecks([]), 'No checks');
  });
});

describe('monitor time axis', () => {
  it('pads the range of the check times, and centres a single check in an hour', () => {
    assert.deepEqual(timeRange([T0, T0 + 100 * 60_000]), [T0 - 4 * 60_000, T0 + 104 * 60_000]);
    assert.deepEqual(timeRange([T0]), [T0 - 30 * 60_000, T0 + 30 * 60_000]);
    assert.equal(timeRange([]), undefined);
  });

  it('picks round steps for the span and the room', () => {
    assert.equal(tickStep(0, 60_000, 6), 10_000);
    assert.equal(tickStep(0, 3 * 3_600_000, 6), 30 * 60_000);
    assert.equal(tickStep(0, 21 * DAY, 6), 7 * DAY);
    assert.equal(tickStep(0, 21 * DAY, 30), DAY);
  });

  it('puts ticks on whole local minutes, midnights and Mondays', () => {
    const minutes = timeTicks(T0 + 10_000, T0 + 10 * 60_000, 5);
    assert.deepEqual(minutes.map((t) => formatTimeTick(t, 2 * 60_000)), ['09:32', '09:34', '09:36', '09:38', '09:40']);
    const days = timeTicks(T0, T0 + 5 * DAY, 5);
    assert.deepEqual(days.map((t) => new Date(t).getHours() + new Date(t).getMinutes()), [0, 0, 0, 0, 0]);
    assert.deepEqual(days.map((t) => formatTimeTick(t, DAY)), ['May 2', 'May 3', 'May 4', 'May 5', 'May 6']);
    const weeks = timeTicks(T0, T0 + 28 * DAY, 5);
    assert.ok(weeks.length >= 3);
    assert.ok(weeks.every((t) => new Date(t).getDay() === 1), 'Mondays');
    const months = timeTicks(T0, T0 + 400 * DAY, 5);
    assert.ok(months.every((t) => new Date(t).getDate() === 1));
    assert.equal(formatTimeTick(months[0], 91 * DAY), 'Jul 2024');
  });

  it('labels ticks as briefly as their step allows', () => {
    const at = new Date(2024, 4, 3, 14, 5, 30).getTime();
    assert.equal(formatTimeTick(at, 5_000), '14:05:30');
    assert.equal(formatTimeTick(at, 5 * 60_000), '14:05');
    assert.equal(formatTimeTick(new Date(2024, 4, 3).getTime(), 6 * 3_600_000), 'May 3');
    assert.equal(formatTimeTick(at, 2 * DAY), 'May 3');
    assert.equal(formatTimeTick(NaN, DAY), '');
    assert.deepEqual(timeTicks(10, 5, 4), []);
  });
});
