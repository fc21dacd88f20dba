import assert from 'node:assert/strict';
import path from 'node:path';
import { TrackingClient } from '../../../src/core/client/trackingClient';
import type { PushSummary } from '../../../src/core/interop/pushSummary';
import { targetKeyOf } from '../../../src/core/interop/pushSummary';
import type { ImportSummary } from '../../../src/core/interop/importSummary';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { buildSqliteFixture, type BuiltFixture } from '../interop/fixtures/mlflowFixtures';
import { SCHEMA_2_4 } from '../interop/fixtures/mlflowSchemas';
import { expectModelsPushed, expectRunsPushed } from '../interop/pushFixture';
import { ServerProcess, seedStore, tableRows, trackside } from './cliFixture';

describe('trackside import, push and sql', function () {
  this.timeout(120_000);
  let folder: string;
  let fixture: BuiltFixture;
  let storeA: string;
  let serverB: ServerProcess;

  before(async () => {
    folder = tempFolder('trackside-cli-interop-');
    fixture = await buildSqliteFixture(SCHEMA_2_4, path.join(folder, 'mlflow'));
    storeA = path.join(folder, 'a');
    serverB = await ServerProcess.start(path.join(folder, 'b'));
  });
  after(async () => {
    await serverB?.stop();
    removeFolder(folder);
  });

  it('imports an mlflow.db with progress on stderr and a summary table on stdout, then adds nothing the second time', async () => {
    const result = await trackside(['import', `sqlite:///${fixture.source}`, '--store', storeA]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^runs \[\d+\/8\] Run \d of 8: /m, 'progress lines on stderr');
    assert.match(result.stdout, /^Imported MLflow SQLite database/m);
    const rows = tableRows(result.stdout.split('\n\n')[1]);
    assert.deepEqual(rows[0], ['What', 'Imported', 'Skipped']);
    assert.deepEqual(rows.find((r) => r[0] === 'Runs'), ['Runs', '8', '0']);
    const points = fixture.data.runs.reduce((n, r) => n + r.metrics.length, 0);
    assert.deepEqual(rows.find((r) => r[0] === 'Metric points'), ['Metric points', points.toLocaleString('en-US')]);
    assert.deepEqual(rows.find((r) => r[0] === 'Model versions'), ['Model versions', '4', '1']);
    assert.match(result.stdout, /version 3 of registered model 'churn-classifier': it was deleted in MLflow/);

    const again = await trackside(['import', fixture.source, '--store', storeA, '--json']);
    assert.equal(again.code, 0, again.stderr);
    const summary = JSON.parse(again.stdout) as ImportSummary;
    assert.deepEqual(summary.runs, { imported: 0, skipped: 8 });
    assert.equal(summary.metrics, 0);
  });

  it('refuses to import into a store another process serves, and names a source that is not there', async () => {
    const busy = await trackside(['import', fixture.source, '--store', path.join(folder, 'b')]);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /is open in cli server \(pid \d+\) at http:\/\/127\.0\.0\.1:\d+\. An import needs the store to itself/);
    const missing = await trackside(['import', path.join(folder, 'nope.db'), '--store', storeA]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.db does not exist\. Give the path of an mlflow\.db file or an mlruns folder/);
    const usage = await trackside(['import', '--store', storeA]);
    assert.equal(usage.code, 2);
  });

  it('pushes the store to a standalone server, which then holds every run, point, param, tag and model; pushing again writes nothing', async () => {
    const token = serverB.token;
    const result = await trackside(['push', '--to', serverB.url, '--token', token, '--include-deleted', '--store', storeA]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^Pushed to ${serverB.url.replace(/\./g, '\\.')}$`, 'm'));
    const rows = tableRows(result.stdout.split('\n\n')[1]);
    assert.deepEqual(rows.find((r) => r[0] === 'Runs'), ['Runs', '8', '0']);
    assert.deepEqual(rows.find((r) => r[0] === 'Model versions'), ['Model versions', '4', '0']);
    assert.match(result.stderr, /^runs \[\d+\/8\] Run /m);

    const target = new TrackingClient({ trackingUri: serverB.url, token });
    try {
      await seedStore(storeA, async (local) => {
        const experimentIds = (await local.experiments.searchAll({ viewType: 'ALL' })).map((e) => e.experiment_id);
        const runIds = (await local.runs.searchAll({ experimentIds, runViewType: 'ALL' })).map((r) => r.info.run_id);
        await expectRunsPushed(local, target, targetKeyOf(serverB.url), runIds);
        await expectModelsPushed(local, target, targetKeyOf(serverB.url), ['churn-classifier', 'fraud-detector']);
      });
    } finally {
      target.close();
    }

    const again = await trackside(['push', '--to', serverB.url, '--token', token, '--include-deleted', '--json', '--store', storeA]);
    assert.equal(again.code, 0, again.stderr);
    const summary = JSON.parse(again.stdout) as PushSummary;
    assert.equal(summary.writes, 0);
    assert.deepEqual(summary.runs, { created: 0, updated: 0, unchanged: 8, failed: 0 });
  });

  it('checks the push target before reading anything', async () => {
    const usage = await trackside(['push', '--store', storeA]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Missing option --to/);
    const wrongToken = await trackside(['push', '--to', serverB.url, '--token', 'wrong', '--store', storeA]);
    assert.equal(wrongToken.code, 1);
    assert.match(wrongToken.stderr, /UNAUTHENTICATED|401/);
  });

  it('answers SQL over the views as a table, CSV or JSON, with joins, a row cap and refused writes', async () => {
    const table = await trackside(['sql', "SELECT name, lifecycle_stage FROM system.ml.experiments WHERE name LIKE 'c%' OR name LIKE 'f%' ORDER BY name", '--store', storeA]);
    assert.equal(table.code, 0, table.stderr);
    assert.deepEqual(tableRows(table.stdout), [['name', 'lifecycle_stage'], ['churn-model', 'active'], ['fraud-detection', 'active']]);
    assert.match(table.stderr, /^2 row\(s\) in \d+ ms$/m);

    const join = `SELECT r.run_name, p.value AS lr, count(*) AS points FROM system.ml.runs r
                    JOIN system.ml.params p ON p.run_id = r.run_id AND p.key = 'lr'
                    JOIN system.ml.metrics m ON m.run_id = r.run_id AND m.key = 'loss'
                   GROUP BY r.run_id ORDER BY r.run_name`;
    const csv = await trackside(['sql', join, '--csv', '--store', storeA]);
    assert.equal(csv.code, 0, csv.stderr);
    assert.equal(csv.stdout, 'run_name,lr,points\ntrial-1,0.01,120\ntrial-2,0.1,30\n');

    const json = await trackside(['sql', 'SELECT step FROM system.ml.metrics ORDER BY step', '--max-rows', '3', '--json', '--store', storeA]);
    assert.equal(json.code, 0, json.stderr);
    const answer = JSON.parse(json.stdout) as { columns: string[]; rows: unknown[][]; truncated: boolean };
    assert.deepEqual(answer.columns, ['step']);
    assert.deepEqual(answer.rows, [[0], [0], [0]]);
    assert.equal(answer.truncated, true);
    const capped = await trackside(['sql', 'SELECT * FROM system.ml.metrics', '--max-rows', '2', '--store', storeA]);
    assert.match(capped.stderr, /2 row\(s\) in \d+ ms; more rows matched: raise --max-rows to see them\./);

    const write = await trackside(['sql', 'DROP TABLE runs', '--store', storeA]);
    assert.equal(write.code, 1);
    assert.match(write.stderr, /^trackside sql: INVALID_PARAMETER_VALUE: Only read-only queries can run here/m);
    const served = await trackside(['sql', 'SELECT count(*) AS runs FROM system.ml.runs', '--tracking-uri', serverB.url], { env: { MLFLOW_TRACKING_TOKEN: serverB.token } });
    assert.equal(served.code, 0, served.stderr);
    assert.deepEqual(tableRows(served.stdout), [['runs'], ['8']], 'through a running server too');
  });
});
