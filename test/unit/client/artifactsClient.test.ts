import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TrackingClientError } from '../../../src/core/client/trackingClientError';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { ScriptedServer, ServerFixture } from './clientFixture';

describe('TrackingClient: artifacts', () => {
  let fixture: ServerFixture;
  let local: string;

  before(async () => {
    fixture = await ServerFixture.start();
    local = tempFolder('trackside-artifacts-local-');
    fs.writeFileSync(path.join(local, 'report.txt'), 'accuracy 0.93\n');
    fs.mkdirSync(path.join(local, 'model', 'data'), { recursive: true });
    fs.writeFileSync(path.join(local, 'model', 'MLmodel'), 'flavors: {}\n');
    fs.writeFileSync(path.join(local, 'model', 'data', 'weights.bin'), Buffer.alloc(200_000, 7));
  });
  after(async () => {
    await fixture.stop();
    removeFolder(local);
  });

  it('uploads a file and a folder through the mlflow-artifacts proxy, then lists, reads and downloads them', async () => {
    const { runs, artifacts } = fixture.client;
    const run = await runs.create({ experimentId: '0' });
    const runId = run.info.run_id;
    assert.match(run.info.artifact_uri, /^mlflow-artifacts:/);

    assert.deepEqual(await artifacts.upload(runId, path.join(local, 'report.txt'), 'reports'), ['reports/report.txt']);
    assert.deepEqual(await artifacts.upload(runId, path.join(local, 'model'), 'model'), ['model/data/weights.bin', 'model/MLmodel']);

    const root = await artifacts.list(runId);
    assert.equal(root.root_uri, run.info.artifact_uri);
    assert.deepEqual(root.files.map((f) => [f.path, f.is_dir]), [['model', true], ['reports', true]]);
    const model = await artifacts.list(runId, 'model');
    assert.deepEqual(model.files.map((f) => f.path), ['model/data', 'model/MLmodel']);
    const walked: string[] = [];
    for await (const file of artifacts.walk(runId)) walked.push(`${file.path}:${file.file_size}`);
    assert.deepEqual(walked, ['model/data/weights.bin:200000', 'model/MLmodel:12', 'reports/report.txt:14']);

    assert.equal((await artifacts.read(runId, 'reports/report.txt')).toString(), 'accuracy 0.93\n');

    const target = tempFolder('trackside-download-');
    try {
      await artifacts.downloadFile(runId, 'model/data/weights.bin', path.join(target, 'w.bin'));
      assert.deepEqual(fs.readFileSync(path.join(target, 'w.bin')), Buffer.alloc(200_000, 7));
      assert.deepEqual(fs.readdirSync(target), ['w.bin'], 'no partial file is left behind');

      const folder = await artifacts.download(runId, { artifactPath: 'model', destination: target });
      assert.equal(folder.localPath, path.join(target, 'model'));
      assert.equal(folder.files, 2);
      assert.equal(fs.readFileSync(path.join(target, 'model', 'MLmodel'), 'utf8'), 'flavors: {}\n');
      assert.equal(fs.statSync(path.join(target, 'model', 'data', 'weights.bin')).size, 200_000);

      const single = await artifacts.download(runId, { artifactPath: 'reports/report.txt', destination: target });
      assert.equal(single.localPath, path.join(target, 'reports', 'report.txt'));
      assert.equal(fs.readFileSync(single.localPath, 'utf8'), 'accuracy 0.93\n');

      const everything = await artifacts.download(runId);
      assert.equal(everything.files, 3);
      assert.ok(fs.existsSync(path.join(everything.localPath, 'reports', 'report.txt')), 'without a destination, a temp folder gets the whole run');
      removeFolder(everything.localPath);
    } finally {
      removeFolder(target);
    }

    await artifacts.delete(runId, 'reports/report.txt');
    assert.deepEqual((await artifacts.list(runId, 'reports')).files, []);
    await assert.rejects(artifacts.read(runId, 'reports/report.txt'), (e: TrackingClientError) => e.status === 404);
  });

  it('reads and writes runs whose artifacts are a local folder (file: artifact location) directly', async () => {
    const { experiments, runs, artifacts } = fixture.client;
    const store = tempFolder('trackside-file-location-');
    try {
      const experimentId = await experiments.create('file-location', { artifactLocation: `file://${store}` });
      const runId = (await runs.create({ experimentId })).info.run_id;
      await artifacts.upload(runId, path.join(local, 'report.txt'));
      assert.equal(fs.readFileSync(path.join(store, runId, 'artifacts', 'report.txt'), 'utf8'), 'accuracy 0.93\n');
      assert.deepEqual((await artifacts.list(runId)).files.map((f) => f.path), ['report.txt']);
      assert.equal((await artifacts.read(runId, 'report.txt')).toString(), 'accuracy 0.93\n', 'read through /get-artifact');
      await artifacts.delete(runId, 'report.txt');
      assert.equal(fs.existsSync(path.join(store, runId, 'artifacts', 'report.txt')), false);
    } finally {
      removeFolder(store);
    }
  });

  it('refuses paths that climb out, and remote locations it cannot write', async () => {
    const { runs, artifacts } = fixture.client;
    const runId = (await runs.create({ experimentId: '0' })).info.run_id;
    await assert.rejects(artifacts.upload(runId, path.join(local, 'report.txt'), '../escape'), /'\.\.' is not allowed/);
    await assert.rejects(artifacts.upload(runId, path.join(local, 'missing.txt')), /No such file or folder to upload/);

    const fake = await ScriptedServer.start((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ run: { info: { run_id: 'r1', artifact_uri: 's3://bucket/1/r1/artifacts' }, data: {}, inputs: {} } }));
    });
    const client = fixture.clientWith({ trackingUri: fake.url });
    try {
      await assert.rejects(
        client.artifacts.upload('r1', path.join(local, 'report.txt')),
        (e: TrackingClientError) => e.errorCode === 'NOT_IMPLEMENTED' && e.message.includes('s3://bucket/1/r1/artifacts'),
      );
    } finally {
      client.close();
      await fake.stop();
    }
  });
});
