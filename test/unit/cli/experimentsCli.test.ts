import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { seedStore, tableRows, trackside } from './cliFixture';

describe('trackside experiments (in-process store)', function () {
  this.timeout(60_000);
  let store: string;
  let runIds: string[] = [];

  before(async () => {
    store = tempFolder('trackside-cli-experiments-');
    runIds = await seedStore(store, async (client) => {
      const id = await client.experiments.create('training');
      const ids: string[] = [];
      for (const [i, name] of ['first', 'second'].entries()) {
        const run = await client.runs.create({ experimentId: id, runName: name, startTime: Date.UTC(2024, 2, 1, 12, 0, i) });
        await client.runs.logBatch(run.info.run_id, {
          metrics: [{ key: 'rmse', value: i === 0 ? 0.5 : 2, step: 3, timestamp: 1 }],
          params: { model: i === 0 ? 'rf' : 'gbm, deep' },
        });
        await client.runs.update(run.info.run_id, { status: 'FINISHED', endTime: Date.UTC(2024, 2, 1, 12, 1, i) });
        ids.push(run.info.run_id);
      }
      return ids;
    });
  });
  after(() => removeFolder(store));

  it('lists experiments as an aligned table, and as the server\'s JSON with --json', async () => {
    const table = await trackside(['experiments', 'search', '--store', store]);
    assert.equal(table.code, 0, table.stderr);
    const rows = tableRows(table.stdout);
    assert.deepEqual(rows[0], ['Experiment Id', 'Name', 'Stage', 'Created', 'Artifact Location']);
    assert.deepEqual(rows.slice(1).map((r) => [r[0], r[1], r[2], r[4]]), [
      ['1', 'training', 'active', 'mlflow-artifacts:/1'],
      ['0', 'Default', 'active', 'mlflow-artifacts:/0'],
    ]);
    assert.match(rows[1][3], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/, 'local time, ISO style');
    const lines = table.stdout.trimEnd().split('\n');
    assert.equal(lines[0].indexOf('Name'), lines[1].indexOf('training'), 'columns are aligned');

    const json = await trackside(['experiments', 'search', '--store', store, '--json']);
    assert.equal(json.code, 0);
    const parsed = JSON.parse(json.stdout) as { experiments: { experiment_id: string; name: string; lifecycle_stage: string }[] };
    assert.deepEqual(parsed.experiments.map((e) => [e.experiment_id, e.name, e.lifecycle_stage]), [['1', 'training', 'active'], ['0', 'Default', 'active']]);
    assert.equal(fs.existsSync(path.join(store, 'store.lock')), false, 'the store is let go after the command');
  });

  it('creates, renames, deletes and restores an experiment', async () => {
    const created = await trackside(['experiments', 'create', '--experiment-name', 'scratch', '--store', store]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout.trim(), "Created experiment 'scratch' with id 2.");
    assert.deepEqual(JSON.parse((await trackside(['experiments', 'create', '-n', 'scratch-2', '--json', '--store', store])).stdout), { experiment_id: '3' });

    assert.equal((await trackside(['experiments', 'rename', '--experiment-id', '2', '--new-name', 'renamed', '--store', store])).stdout.trim(), "Experiment 2 renamed to 'renamed'.");
    const deleted = await trackside(['experiments', 'delete', '-x', '2', '--store', store]);
    assert.equal(deleted.stdout.trim(), 'Experiment 2 deleted.');
    const deletedView = tableRows((await trackside(['experiments', 'search', '--view', 'deleted', '--store', store])).stdout);
    assert.deepEqual(deletedView.slice(1).map((r) => [r[0], r[1], r[2]]), [['2', 'renamed', 'deleted']]);
    const all = JSON.parse((await trackside(['experiments', 'search', '--view', 'all', '--json', '--store', store])).stdout) as { experiments: unknown[] };
    assert.equal(all.experiments.length, 4);
    assert.equal((await trackside(['experiments', 'restore', '-x', '2', '--store', store])).code, 0);
    const active = tableRows((await trackside(['experiments', 'search', '--max-results', '2', '--store', store])).stdout);
    assert.equal(active.length, 3, 'a header and two experiments with --max-results 2');
  });

  it('writes every run as CSV with metrics, params and tags as columns, like mlflow experiments csv', async () => {
    const stdout = await trackside(['experiments', 'csv', '--experiment-id', '1', '--store', store]);
    assert.equal(stdout.code, 0, stdout.stderr);
    const lines = stdout.stdout.trimEnd().split('\n');
    assert.deepEqual(lines[0].split(','), [
      'run_id', 'experiment_id', 'status', 'artifact_uri', 'start_time', 'end_time', 'metrics.rmse', 'params.model', 'tags.mlflow.runName',
    ]);
    assert.equal(lines.length, 3);
    assert.equal(
      lines[1],
      `${runIds[1]},1,FINISHED,mlflow-artifacts:/1/${runIds[1]}/artifacts,2024-03-01 12:00:01.000000+00:00,2024-03-01 12:01:01.000000+00:00,2.0,"gbm, deep",second`,
    );
    const file = path.join(store, '..', `${path.basename(store)}-runs.csv`);
    try {
      const written = await trackside(['experiments', 'csv', '-x', '1', '-o', file, '--store', store]);
      assert.equal(written.code, 0);
      assert.equal(fs.readFileSync(file, 'utf8').trimEnd(), stdout.stdout.trimEnd());
      assert.match(written.stderr, /Wrote 2 run\(s\) of experiment 1/);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('reports store errors with MLflow\'s code (exit 1) and usage errors (exit 2)', async () => {
    const missing = await trackside(['experiments', 'delete', '--experiment-id', '99', '--store', store]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim(), 'trackside experiments delete: RESOURCE_DOES_NOT_EXIST: No Experiment with id=99 exists');
    const duplicate = await trackside(['experiments', 'create', '-n', 'training', '--store', store]);
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, /RESOURCE_ALREADY_EXISTS/);

    const noId = await trackside(['experiments', 'delete', '--store', store]);
    assert.equal(noId.code, 2);
    assert.equal(noId.stderr.trim(), 'trackside experiments delete: Missing option --experiment-id.');
    const badView = await trackside(['experiments', 'search', '--view', 'gone', '--store', store]);
    assert.equal(badView.code, 2);
    assert.match(badView.stderr, /--view must be active, deleted or all/);
    const unknown = await trackside(['experiments', 'frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown subcommand 'frobnicate'/);
  });

  it('lists its subcommands with --help, and a subcommand\'s options', async () => {
    const help = await trackside(['experiments', '--help']);
    assert.equal(help.code, 0);
    for (const sub of ['search', 'create', 'delete', 'restore', 'rename', 'csv']) assert.match(help.stdout, new RegExp(`^  ${sub}\\s`, 'm'));
    const subHelp = await trackside(['experiments', 'search', '--help']);
    assert.equal(subHelp.code, 0);
    assert.match(subHelp.stdout, /--view VIEW/);
    assert.match(subHelp.stdout, /--tracking-uri URI/);
    const main = await trackside(['--help']);
    for (const command of ['server', 'experiments', 'runs', 'artifacts', 'gc']) assert.match(main.stdout, new RegExp(`^  ${command}\\s`, 'm'));
  });
});
