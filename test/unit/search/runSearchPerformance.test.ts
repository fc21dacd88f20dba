import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { buildRunSearchSql, type RunSearchQuery } from '../../../src/core/search/runSearchSql';
import { SearchFixture } from './searchFixture';

/** Reports timings for 10k runs; asserts only the results (timing depends on the machine). */
describe('run search over 10k runs', function () {
  this.timeout(60_000);
  const RUNS = 10_000;
  let f: SearchFixture;

  before(async () => {
    f = await SearchFixture.create();
    f.experiment(7, 'big');
    f.db.transaction(() => {
      for (let i = 1; i <= RUNS; i++) {
        f.run({ runInt: i, experiment: 7, name: `run-${i}`, start: 1_700_000_000_000 + i });
        f.metric(i, 'acc', (i % 100) / 100);
        f.param(i, 'group', `g${i % 10}`);
      }
    });
  });
  after(() => f.close());

  function timed(query: Partial<RunSearchQuery>): { ms: number; rows: number[] } {
    const { sql, params } = buildRunSearchSql({ experimentIds: [7], viewType: 'ACTIVE_ONLY', limit: 1000, offset: 0, ...query });
    let rows: number[] = [];
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const start = performance.now();
      rows = f.db.values(sql, params).map((r) => Number(r[0]));
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return { ms: times[3], rows };
  }

  it('filters on one metric and one param', () => {
    const { ms, rows } = timed({ filter: "metrics.acc > 0.9 AND params.group = 'g3'" });
    // acc > 0.9 means i % 100 in 91..99; group g3 means i % 10 = 3: i % 100 = 93, newest first.
    assert.equal(rows.length, RUNS / 100);
    assert.ok(rows.every((i) => i % 100 === 93));
    assert.equal(rows[0], 9993);
    console.log(`      metric + param filter over ${RUNS} runs: ${ms.toFixed(2)} ms (median of 7)`);
  });

  it('orders every run by a metric', () => {
    const { ms, rows } = timed({ orderBy: ['metrics.acc DESC'], limit: RUNS });
    assert.equal(rows.length, RUNS);
    assert.equal(rows[0], 9999);
    console.log(`      ORDER BY metrics.acc DESC over ${RUNS} runs: ${ms.toFixed(2)} ms (median of 7)`);
  });

  it('pages the default order', () => {
    const { ms, rows } = timed({ limit: 1000, offset: 5000 });
    assert.equal(rows[0], RUNS - 5000);
    console.log(`      default order, page at offset 5000: ${ms.toFixed(2)} ms (median of 7)`);
  });
});
