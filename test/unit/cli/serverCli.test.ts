import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { ServerProcess, tableRows, trackside } from './cliFixture';

describe('trackside commands against a running trackside server', function () {
  this.timeout(60_000);
  let store: string;
  let server: ServerProcess;

  before(async () => {
    store = tempFolder('trackside-cli-server-');
    server = await ServerProcess.start(store);
  });
  after(async () => {
    assert.equal(await server.stop(), 0, 'the server stops cleanly');
    removeFolder(store);
  });

  it('finds the server that owns --store and talks to it over HTTP', async () => {
    const created = await trackside(['experiments', 'create', '-n', 'served', '--store', store]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout.trim(), "Created experiment 'served' with id 1.");
    const lock = JSON.parse(fs.readFileSync(path.join(store, 'store.lock'), 'utf8')) as { owner: string };
    assert.equal(lock.owner, 'cli server', 'the server still owns the store: the command did not open it');
    const rows = tableRows((await trackside(['experiments', 'search', '--store', store])).stdout);
    assert.deepEqual(rows.slice(1).map((r) => r[1]), ['served', 'Default']);
  });

  it('uses --tracking-uri or MLFLOW_TRACKING_URI with MLFLOW_TRACKING_TOKEN', async () => {
    const env = { MLFLOW_TRACKING_TOKEN: server.token };
    const viaOption = await trackside(['experiments', 'search', '--tracking-uri', server.url, '--json'], { env });
    assert.equal(viaOption.code, 0, viaOption.stderr);
    assert.ok((JSON.parse(viaOption.stdout) as { experiments: { name: string }[] }).experiments.some((e) => e.name === 'served'));

    const cwd = tempFolder('trackside-cli-cwd-');
    try {
      const viaEnvironment = await trackside(['runs', 'search', '-x', '1'], { env: { ...env, MLFLOW_TRACKING_URI: server.url }, cwd });
      assert.equal(viaEnvironment.code, 0, viaEnvironment.stderr);
      assert.equal(viaEnvironment.stdout.trim(), 'No runs.');
      assert.equal(fs.existsSync(path.join(cwd, '.trackside')), false, 'no local store was created');
    } finally {
      removeFolder(cwd);
    }
  });

  it('explains a missing or wrong token (exit 1)', async () => {
    const result = await trackside(['experiments', 'search', '--tracking-uri', server.url], { env: { MLFLOW_TRACKING_TOKEN: 'wrong' } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^trackside experiments search: UNAUTHENTICATED: The bearer token is not valid/);
    assert.match(result.stderr, /Set MLFLOW_TRACKING_TOKEN/);
  });

  it('names the URI it could not reach (exit 1), and refuses a non-http tracking URI (exit 2)', async () => {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const refused = await trackside(['runs', 'search', '-x', '0', '--tracking-uri', `http://127.0.0.1:${port}`]);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr.trim(),
      `trackside runs search: CONNECTION_ERROR: Cannot reach the tracking server at http://127.0.0.1:${port}: connection refused. ` +
        'Is the server running there? Check --tracking-uri or MLFLOW_TRACKING_URI.',
    );
    const sqlite = await trackside(['experiments', 'search'], { env: { MLFLOW_TRACKING_URI: 'sqlite:///mlflow.db' } });
    assert.equal(sqlite.code, 2);
    assert.match(sqlite.stderr, /MLFLOW_TRACKING_URI=sqlite:\/\/\/mlflow.db is not an http\(s\) tracking server/);
  });

  it('leaves gc to the store\'s owner', async () => {
    const gc = await trackside(['gc', '--store', store]);
    assert.equal(gc.code, 1);
    assert.match(gc.stderr, /gc needs the store to itself/);
  });
});

describe('trackside gc after CLI deletes (in-process)', function () {
  this.timeout(60_000);

  it('purges an experiment that `experiments delete` marked deleted', async () => {
    const store = tempFolder('trackside-cli-gc-');
    try {
      assert.equal((await trackside(['experiments', 'create', '-n', 'doomed', '--store', store])).code, 0);
      assert.equal((await trackside(['experiments', 'delete', '-x', '1', '--store', store])).code, 0);
      const gc = await trackside(['gc', '--store', store]);
      assert.equal(gc.code, 0, gc.stderr);
      assert.match(gc.stdout, /^Purged 0 run\(s\) and 1 experiment\(s\)\.$/m);
      const all = JSON.parse((await trackside(['experiments', 'search', '--view', 'all', '--json', '--store', store])).stdout) as { experiments: unknown[] };
      assert.equal(all.experiments.length, 1, 'only Default is left');
    } finally {
      removeFolder(store);
    }
  });
});
