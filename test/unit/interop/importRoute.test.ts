import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { importIntoStore } from '../../../src/core/client/importClient';
import { TrackingClientError } from '../../../src/core/client/trackingClientError';
import { ImportAbortedError, type ImportProgress } from '../../../src/core/interop/importSummary';
import { localImportSource } from '../../../src/core/server/handlers/importRoutes';
import { TrackingError } from '../../../src/core/store/trackingError';
import { PlainMlflowProxy, ServerFixture } from '../client/clientFixture';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { buildSqliteFixture, type BuiltFixture } from './fixtures/mlflowFixtures';
import { fixtureData, runIdOf } from './fixtures/mlflowFixtureData';
import { SCHEMA_2_4 } from './fixtures/mlflowSchemas';
import { writeMlflowSqlite } from './fixtures/writeMlflowSqlite';

async function rejectsWith(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (e: Error) => {
    assert.ok(e instanceof TrackingClientError, `${e?.name}: ${e?.message}`);
    assert.equal(e.errorCode, code, e.message);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('POST /api/2.0/trackside/import (the import inside the engine) and importIntoStore', function () {
  this.timeout(60_000);
  let folder: string;
  let fixture: BuiltFixture;
  let server: ServerFixture;

  before(async () => {
    folder = tempFolder('trackside-import-route-');
    fixture = await buildSqliteFixture(SCHEMA_2_4, folder);
  });
  beforeEach(async () => {
    server = await ServerFixture.start();
  });
  afterEach(async () => {
    await server.stop();
  });
  after(() => removeFolder(folder));

  it('imports an mlflow.db through the server, streaming progress, and answers the summary', async () => {
    const progress: ImportProgress[] = [];
    const summary = await importIntoStore(server.client, { source: fixture.source, artifacts: 'copy', onProgress: (p) => progress.push(p) });
    assert.equal(summary.runs.imported, fixture.data.runs.length);
    assert.equal(summary.experiments.imported, fixture.data.experiments.length - 1, 'every experiment but Default');
    assert.equal(summary.metrics, fixture.data.runs.reduce((n, r) => n + r.metrics.length, 0));
    assert.equal(summary.source.location, fixture.source);
    const phases = [...new Set(progress.map((p) => p.phase))];
    assert.deepEqual(phases.filter((p) => p !== 'models'), ['reading', 'experiments', 'runs', 'done']);
    const run = await server.client.runs.get(fixture.data.runs[2].runId);
    assert.equal(run.info.run_name, fixture.data.runs[2].name, 'the run keeps its MLflow id and name');
    assert.equal((await server.client.metrics.getHistory(run.info.run_id, 'loss')).length, 120);

    const again = await importIntoStore(server.client, { source: `sqlite:///${fixture.source}`, artifacts: 'copy' });
    assert.equal(again.runs.imported, 0, 'the same database again (as a sqlite:/// URI) adds nothing');
    assert.equal(again.runs.skipped, fixture.data.runs.length);
    assert.ok(again.skipped.some((s) => s.why === 'already imported from this source'));
  });

  it('refuses sources that are not local absolute paths, before starting', async () => {
    await rejectsWith(importIntoStore(server.client, { source: 'mlruns', artifacts: 'copy' }), 'INVALID_PARAMETER_VALUE', /relative path/);
    await rejectsWith(importIntoStore(server.client, { source: 'https://mlflow.example.com', artifacts: 'copy' }), 'INVALID_PARAMETER_VALUE', /not a local path/);
    await rejectsWith(importIntoStore(server.client, { source: 's3://bucket/mlruns', artifacts: 'copy' }), 'INVALID_PARAMETER_VALUE', /not a local path/);
    await rejectsWith(importIntoStore(server.client, { source: '//fileserver/share/mlflow.db', artifacts: 'copy' }), 'INVALID_PARAMETER_VALUE', /network share/);
    await rejectsWith(importIntoStore(server.client, { source: 'sqlite:///mlflow.db', artifacts: 'copy' }), 'INVALID_PARAMETER_VALUE', /relative database path/);
    await rejectsWith(importIntoStore(server.client, { source: path.join(folder, 'nothing-here.db'), artifacts: 'copy' }), 'RESOURCE_DOES_NOT_EXIST', /does not exist on this machine/);
    assert.deepEqual((await server.client.experiments.searchAll()).map((e) => e.name), ['Default'], 'nothing was imported');
  });

  it('answers an error line for a path that is not an MLflow store, and 401 without the token', async () => {
    const empty = tempFolder('trackside-not-mlflow-');
    try {
      fs.writeFileSync(path.join(empty, 'notes.txt'), 'hello');
      await rejectsWith(importIntoStore(server.client, { source: empty, artifacts: 'reference' }), 'INVALID_PARAMETER_VALUE', /No MLflow data/);
      await rejectsWith(importIntoStore(server.client, { source: pathToFileURL(path.join(empty, 'notes.txt')).href, artifacts: 'copy' }), 'INVALID_PARAMETER_VALUE', /is not an SQLite database/);
    } finally {
      removeFolder(empty);
    }
    const anonymous = server.clientWith({ token: undefined });
    try {
      await rejectsWith(importIntoStore(anonymous, { source: fixture.source, artifacts: 'copy' }), 'UNAUTHENTICATED', /Bearer/);
    } finally {
      anonymous.close();
    }
  });

  it('says so when the server cannot import (plain MLflow)', async () => {
    const proxy = await PlainMlflowProxy.start(server.server.url);
    const client = server.clientWith({ trackingUri: proxy.url });
    try {
      await rejectsWith(importIntoStore(client, { source: fixture.source, artifacts: 'copy' }), 'NOT_IMPLEMENTED', /cannot import MLflow stores/);
    } finally {
      client.close();
      await proxy.stop();
    }
  });

  describe('with a larger database', () => {
    let big: string;
    let runCount: number;
    before(async () => {
      const data = fixtureData({ ...SCHEMA_2_4.features, nameInTags: false }, (id) => path.join(folder, 'big-mlruns', id));
      const template = data.runs.find((r) => r.experimentId === '1' && r.lifecycle === 'active' && r.metrics.length < 50)!;
      for (let n = 0; n < 150; n++) {
        const runId = runIdOf(1000 + n);
        data.runs.push({ ...template, runId, name: `extra-${n}`, artifactUri: path.join(folder, 'big-mlruns', '1', runId, 'artifacts'), inputs: [] });
      }
      runCount = data.runs.length;
      big = path.join(folder, 'big.db');
      await writeMlflowSqlite(SCHEMA_2_4, { ...SCHEMA_2_4.features, nameInTags: false }, data, big);
    });

    it('stops between runs when cancelled and answers the summary so far; importing again finishes the rest', async () => {
      const controller = new AbortController();
      let seen = 0;
      const first = await importIntoStore(server.client, {
        source: big,
        artifacts: 'reference',
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'runs' && p.done >= 3 && seen++ === 0) controller.abort();
        },
      }).then(
        () => assert.fail('the import should have been cancelled'),
        (e: unknown) => {
          assert.ok(e instanceof ImportAbortedError, String(e));
          return e.summary;
        },
      );
      assert.ok(first.runs.imported >= 3 && first.runs.imported < runCount, `stopped part way: ${first.runs.imported} of ${runCount}`);
      const rest = await importIntoStore(server.client, { source: big, artifacts: 'reference' });
      assert.equal(first.runs.imported + rest.runs.imported, runCount, 'nothing lost, nothing twice');
    });

    it('runs one import per store at a time', async () => {
      const controller = new AbortController();
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const first = importIntoStore(server.client, { source: big, artifacts: 'reference', signal: controller.signal, onProgress: (p) => p.phase === 'runs' && started() });
      first.catch(() => undefined);
      await running;
      await rejectsWith(importIntoStore(server.client, { source: fixture.source, artifacts: 'copy' }), 'RESOURCE_CONFLICT', /is running: wait for it/);
      controller.abort();
      await assert.rejects(first, ImportAbortedError);
      const after = await importIntoStore(server.client, { source: fixture.source, artifacts: 'copy' });
      // The store is free again once the first import stopped (runs the big database brought in first are skipped).
      assert.equal(after.runs.imported + after.runs.skipped, fixture.data.runs.length);
      assert.ok(after.runs.imported > 0);
    });

    it('stops the import when the client drops the connection', async () => {
      const url = new URL('/api/2.0/trackside/import', server.server.url);
      const body = JSON.stringify({ source: big, artifacts: 'reference' });
      await new Promise<void>((resolve, reject) => {
        const request = http.request(url, { method: 'POST', headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' } }, (response) => {
          assert.equal(response.headers['content-type'], 'application/x-ndjson; charset=utf-8');
          response.once('data', (chunk: Buffer) => {
            assert.match(chunk.toString('utf8'), /^\{"type":"started","import_id":"[0-9a-f-]{36}"\}\n/);
            request.destroy();
            resolve();
          });
        });
        request.on('error', (e) => (request.destroyed ? undefined : reject(e)));
        request.end(body);
      });
      // The server notices, stops between runs and lets go of the store.
      let next: Awaited<ReturnType<typeof importIntoStore>> | undefined;
      for (let attempt = 0; attempt < 100 && !next; attempt++) {
        next = await importIntoStore(server.client, { source: fixture.source, artifacts: 'copy' }).catch((e: TrackingClientError) => {
          if (e.errorCode !== 'RESOURCE_CONFLICT') throw e;
          return new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 50));
        });
      }
      assert.ok(next, 'the store was freed');
      const imported = (await server.client.runs.searchAll({ experimentIds: (await server.client.experiments.searchAll({ viewType: 'ALL' })).map((e) => e.experiment_id), runViewType: 'ALL' })).length;
      assert.ok(imported < runCount + fixture.data.runs.length, `the dropped import stopped part way (${imported} runs in the store)`);
    });
  });
});

describe('localImportSource (what the import route accepts)', () => {
  const refused = (source: unknown, code: string, pattern: RegExp): void =>
    assert.throws(() => localImportSource(source), (e: Error) => e instanceof TrackingError && e.code === code && pattern.test(e.message));

  it('takes absolute paths and file:/sqlite: URIs of them, resolved', () => {
    const here = tempFolder('trackside-local-source-');
    try {
      const db = path.join(here, 'mlflow.db');
      fs.writeFileSync(db, '');
      assert.equal(localImportSource(db), db);
      assert.equal(localImportSource(`  ${db}  `), db);
      assert.equal(localImportSource(pathToFileURL(db).href), db);
      assert.equal(localImportSource(`sqlite:///${db}`), db);
      assert.equal(localImportSource(here), here);
    } finally {
      removeFolder(here);
    }
  });

  it('refuses anything else with a sentence saying what to give', () => {
    refused(undefined, 'INVALID_PARAMETER_VALUE', /required parameter 'source'/);
    refused('   ', 'INVALID_PARAMETER_VALUE', /required parameter 'source'/);
    refused(42, 'INVALID_PARAMETER_VALUE', /required parameter 'source'/);
    refused('./mlruns', 'INVALID_PARAMETER_VALUE', /relative path/);
    refused('http://127.0.0.1:5000', 'INVALID_PARAMETER_VALUE', /not a local path/);
    refused('file://server/share/mlflow.db', 'INVALID_PARAMETER_VALUE', /network share/);
    refused('\\\\server\\share\\mlflow.db', 'INVALID_PARAMETER_VALUE', /network share/);
    refused('/tmp/a\0b', 'INVALID_PARAMETER_VALUE', /NUL/);
    refused(`/${'x'.repeat(5000)}`, 'INVALID_PARAMETER_VALUE', /longer than/);
    refused('/definitely/not/here/mlflow.db', 'RESOURCE_DOES_NOT_EXIST', /does not exist on this machine/);
  });
});
