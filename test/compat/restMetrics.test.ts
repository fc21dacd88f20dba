import assert from 'node:assert/strict';
import { assertError, missing, ok } from './helpers/mlflowAssertions';
import { startInProcessServer, type ServerHandle } from './helpers/serverFixture';

/** get-history (paged) and get-history-bulk-interval, with non-finite values and GET list forms. */
describe('REST: metric history', function () {
  this.timeout(30_000);
  const M = '/api/2.0/mlflow/metrics';
  let server: ServerHandle;
  let runA: string;
  let runB: string;

  before(async () => {
    server = await startInProcessServer();
    const create = async (): Promise<string> => ok(await server.api('POST', '/api/2.0/mlflow/runs/create', {})).run.info.run_id;
    [runA, runB] = [await create(), await create()].sort();
    for (const [run, offset] of [[runA, 0], [runB, 100]] as const) {
      const metrics = Array.from({ length: 10 }, (_, step) => ({ key: 'loss', value: offset + step, timestamp: 1000 + step, step }));
      ok(await server.api('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: run, metrics }));
    }
    const special = [
      { key: 'odd', value: 'NaN', timestamp: 1, step: 0 },
      { key: 'odd', value: 'Infinity', timestamp: 2, step: 1 },
      { key: 'odd', value: '-Infinity', timestamp: 3, step: 2 },
      { key: 'odd', value: '2.5', timestamp: '4', step: '3' },
    ];
    ok(await server.api('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: runA, metrics: special }));
  });
  after(() => server?.stop());

  describe('get-history', () => {
    it('answers every point in step order, with int64 fields as JSON numbers', async () => {
      const { metrics, next_page_token } = ok(await server.api('GET', `${M}/get-history`, { run_id: runA, metric_key: 'loss' }));
      assert.equal(metrics.length, 10);
      assert.deepEqual(metrics[3], { key: 'loss', value: 3, timestamp: 1003, step: 3 });
      assert.equal(next_page_token, undefined);
    });

    it('answers NaN as "NaN" and clamps ±Infinity to ±1.7976931348623157e308; numeric strings are stored as numbers', async () => {
      const res = await server.api('GET', `${M}/get-history`, { run_uuid: runA, metric_key: 'odd' });
      assert.deepEqual(ok(res).metrics.map((m: { value: unknown }) => m.value), ['NaN', 1.7976931348623157e308, -1.7976931348623157e308, 2.5]);
      assert.match(res.text, /"value":"NaN"/);
      assert.deepEqual(res.json.metrics[3], { key: 'odd', value: 2.5, timestamp: 4, step: 3 });
    });

    it('pages with max_results and next_page_token until the last page', async () => {
      const seen: number[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const body = ok(await server.api('GET', `${M}/get-history`, { run_id: runA, metric_key: 'loss', max_results: 4, page_token: token }));
        seen.push(...body.metrics.map((m: { step: number }) => m.step));
        token = body.next_page_token;
        pages++;
      } while (token);
      assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.equal(pages, 3);
    });

    it('answers {} for a key never logged', async () => {
      assert.deepEqual(ok(await server.api('GET', `${M}/get-history`, { run_id: runA, metric_key: 'never' })), {});
    });

    it('errors: missing metric_key or run_id, unknown run, max_results over 25000, bad page token', async () => {
      assertError(await server.api('GET', `${M}/get-history`, { run_id: runA }), 400, 'INVALID_PARAMETER_VALUE', missing('metric_key'));
      assertError(await server.api('GET', `${M}/get-history`, { metric_key: 'loss' }), 400, 'INVALID_PARAMETER_VALUE', missing('run_id'));
      assertError(await server.api('GET', `${M}/get-history`, { run_id: 'f'.repeat(32), metric_key: 'loss' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      assertError(await server.api('GET', `${M}/get-history`, { run_id: runA, metric_key: 'loss', max_results: 25001 }), 400, 'INVALID_PARAMETER_VALUE', /^Invalid value 25001 for parameter 'max_results'/);
      assertError(await server.api('GET', `${M}/get-history`, { run_id: runA, metric_key: 'loss', page_token: 'not a token!' }), 400, 'INVALID_PARAMETER_VALUE', /^Invalid page token/);
    });
  });

  describe('get-history-bulk-interval', () => {
    const pointsOf = (body: { metrics?: { run_id: string; step: number }[] }): string[] => (body.metrics ?? []).map((m) => `${m.run_id === runA ? 'A' : 'B'}${m.step}`);

    it('takes run_ids as repeated keys and answers every run\'s points with run_id', async () => {
      const body = ok(await server.api('GET', `${M}/get-history-bulk-interval?run_ids=${runA}&run_ids=${runB}&metric_key=loss&start_step=2&end_step=4`));
      assert.deepEqual(pointsOf(body), ['A2', 'A3', 'A4', 'B2', 'B3', 'B4']);
      assert.deepEqual(body.metrics[3], { key: 'loss', value: 102, timestamp: 1002, step: 2, run_id: runB });
    });

    it('takes run_ids[]= and run_ids[0]= forms too, and a single run_ids', async () => {
      const bracket = ok(await server.api('GET', `${M}/get-history-bulk-interval?run_ids[]=${runA}&run_ids[]=${runB}&metric_key=loss&start_step=0&end_step=0`));
      assert.deepEqual(pointsOf(bracket), ['A0', 'B0']);
      const indexed = ok(await server.api('GET', `${M}/get-history-bulk-interval?run_ids[0]=${runB}&metric_key=loss&start_step=9&end_step=9`));
      assert.deepEqual(pointsOf(indexed), ['B9']);
      const single = ok(await server.api('GET', `${M}/get-history-bulk-interval`, { run_ids: runA, metric_key: 'loss', start_step: 1, end_step: 1 }));
      assert.deepEqual(pointsOf(single), ['A1']);
    });

    it('keeps max_results steps spread over the range, first and last included', async () => {
      const body = ok(await server.api('GET', `${M}/get-history-bulk-interval`, { run_ids: [runA], metric_key: 'loss', max_results: 2 }));
      assert.deepEqual(pointsOf(body), ['A0', 'A9']);
    });

    it('errors: missing run_ids or metric_key, one of start/end step only, more than 100 runs, unknown run', async () => {
      const url = `${M}/get-history-bulk-interval`;
      assertError(await server.api('GET', url, { metric_key: 'loss' }), 400, 'INVALID_PARAMETER_VALUE', missing('run_ids'));
      assertError(await server.api('GET', url, { run_ids: [runA] }), 400, 'INVALID_PARAMETER_VALUE', missing('metric_key'));
      assertError(await server.api('GET', url, { run_ids: [runA], metric_key: 'loss', start_step: 1 }), 400, 'INVALID_PARAMETER_VALUE', /both must be specified/);
      const many = Array.from({ length: 101 }, (_, i) => `r${i}`);
      assertError(await server.api('GET', url, { run_ids: many, metric_key: 'loss' }), 400, 'INVALID_PARAMETER_VALUE', /more than 100 run_ids/);
      assertError(await server.api('GET', url, { run_ids: ['f'.repeat(32)], metric_key: 'loss' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    });
  });
});
