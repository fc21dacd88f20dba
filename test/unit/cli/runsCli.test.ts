import assert from 'node:assert/strict';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { seedStore, tableRows, trackside } from './cliFixture';

describe('trackside runs (in-process store)', function () {
  this.timeout(60_000);
  let store: string;
  let ids: Record<string, string>;

  before(async () => {
    store = tempFolder('trackside-cli-runs-');
    ids = await seedStore(store, async (client) => {
      const out: Record<string, string> = {};
      for (const [i, name] of ['alpha', 'beta', 'gamma'].entries()) {
        const run = await client.runs.create({ experimentId: '0', runName: name, startTime: Date.UTC(2024, 2, 1, 12, i), tags: { note: `a note ${'x'.repeat(i * 40)}` } });
        await client.runs.logBatch(run.info.run_id, {
          metrics: [{ key: 'rmse', value: [0.3, 0.1, 0.2][i], step: 7, timestamp: Date.UTC(2024, 2, 1, 13) }],
          params: { model: i === 1 ? 'gbm' : 'rf' },
        });
        if (i < 2) await client.runs.update(run.info.run_id, { status: 'FINISHED', endTime: Date.UTC(2024, 2, 1, 12, i, 42) });
        out[name] = run.info.run_id;
      }
      return out;
    });
  });
  after(() => removeFolder(store));

  it('searches with a filter and an order, showing the ordered metric as a column', async () => {
    const result = await trackside(['runs', 'search', '--experiment-id', '0', '--filter', "params.model = 'rf'", '--order-by', 'metrics.rmse ASC', '--store', store]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(tableRows(result.stdout), [
      ['Run Id', 'Name', 'Status', 'Started', 'Duration', 'rmse'],
      [ids.gamma, 'gamma', 'RUNNING', '2024-03-01 12:02:00', '0.2'],
      [ids.alpha, 'alpha', 'FINISHED', '2024-03-01 12:00:00', '42.0s', '0.3'],
    ]);
    const json = JSON.parse((await trackside(['runs', 'search', '-x', '0', '--max-results', '2', '--json', '--store', store])).stdout) as {
      runs: { info: { run_name: string } }[];
    };
    assert.deepEqual(json.runs.map((r) => r.info.run_name), ['gamma', 'beta'], 'newest first, two of three');
  });

  it('describes a run for people and as JSON', async () => {
    const result = await trackside(['runs', 'describe', '--run-id', ids.beta, '--store', store]);
    assert.equal(result.code, 0, result.stderr);
    const text = result.stdout;
    assert.match(text, new RegExp(`^Run Id:\\s+${ids.beta}$`, 'm'));
    assert.match(text, /^Status:\s+FINISHED$/m);
    assert.match(text, /^Started:\s+2024-03-01 12:01:00$/m);
    assert.match(text, /^Duration:\s+42.0s$/m);
    assert.match(text, /^Params \(1\)\n {2}Key\s+Value\n {2}model\s+gbm$/m);
    assert.match(text, /^Metrics \(1\)\n {2}Key\s+Value\s+Step\s+Logged\n {2}rmse\s+0.1\s+7\s+2024-03-01 13:00:00$/m);
    assert.match(text, /^ {2}note\s+a note x{40}$/m);

    const json = JSON.parse((await trackside(['runs', 'describe', '--run-id', ids.beta, '--json', '--store', store])).stdout) as {
      run: { info: { run_id: string; status: string }; data: { params: unknown[] } };
    };
    assert.equal(json.run.info.run_id, ids.beta);
    assert.deepEqual(json.run.data.params, [{ key: 'model', value: 'gbm' }]);
  });

  it('cuts wide cells with … in tables but never in --json', async () => {
    const table = await trackside(['runs', 'search', '-x', '0', '--order-by', 'tags.note', '--store', store]);
    const gamma = tableRows(table.stdout).find((row) => row[0] === ids.gamma)!;
    assert.equal(gamma[gamma.length - 1].length, 48);
    assert.ok(gamma[gamma.length - 1].endsWith('…'));
    const json = (await trackside(['runs', 'describe', '--run-id', ids.gamma, '--json', '--store', store])).stdout;
    assert.ok(json.includes(`a note ${'x'.repeat(80)}`));
  });

  it('deletes and restores a run', async () => {
    const deleted = await trackside(['runs', 'delete', '--run-id', ids.alpha, '--store', store]);
    assert.equal(deleted.stdout.trim(), `Run ${ids.alpha} deleted.`);
    const active = tableRows((await trackside(['runs', 'search', '-x', '0', '--store', store])).stdout);
    assert.ok(!active.some((row) => row[0] === ids.alpha));
    const gone = tableRows((await trackside(['runs', 'search', '-x', '0', '--view', 'deleted', '--store', store])).stdout);
    assert.deepEqual(gone.slice(1).map((row) => row[0]), [ids.alpha]);
    assert.deepEqual(JSON.parse((await trackside(['runs', 'restore', '--run-id', ids.alpha, '--json', '--store', store])).stdout), {});
  });

  it('reports a bad filter (exit 1, the server\'s message), an unknown run and a missing experiment id (exit 2)', async () => {
    const bad = await trackside(['runs', 'search', '-x', '0', '--filter', "params.model > 'a'", '--store', store]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^trackside runs search: INVALID_PARAMETER_VALUE: Invalid comparator '>'/);
    const unknown = await trackside(['runs', 'describe', '--run-id', 'ffffffffffffffffffffffffffffffff', '--store', store]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /RESOURCE_DOES_NOT_EXIST/);
    const usage = await trackside(['runs', 'search', '--store', store]);
    assert.equal(usage.code, 2);
    assert.equal(usage.stderr.trim(), 'trackside runs search: Missing option --experiment-id.');
    const help = await trackside(['runs', '--help']);
    for (const sub of ['search', 'describe', 'delete', 'restore']) assert.match(help.stdout, new RegExp(`^  ${sub}\\s`, 'm'));
  });
});
