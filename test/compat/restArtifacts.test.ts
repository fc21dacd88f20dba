import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { assertError, ok } from './helpers/mlflowAssertions';
import { startInProcessServer, type ServerHandle } from './helpers/serverFixture';

/** The artifact proxy (`/api/2.0/mlflow-artifacts/…`), the run listing and the UI's download route. */
describe('REST: artifacts', function () {
  this.timeout(30_000);
  let server: ServerHandle;
  let experimentId: string;
  let runId: string;
  let proxy: (rest: string) => string;
  const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256));
  const upload = async (rest: string, body: string | Buffer): Promise<void> => {
    const res = await server.api('PUT', proxy(rest), undefined, { raw: body, headers: { 'Content-Type': 'application/octet-stream' } });
    assert.deepEqual(ok(res), {});
  };

  before(async () => {
    server = await startInProcessServer();
    experimentId = ok(await server.api('POST', '/api/2.0/mlflow/experiments/create', { name: 'artifacts' })).experiment_id;
    runId = ok(await server.api('POST', '/api/2.0/mlflow/runs/create', { experiment_id: experimentId })).run.info.run_id;
    proxy = (rest) => `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/${rest}`;
  });
  after(() => server?.stop());

  it('an empty run lists only root_uri (artifacts/list) and {} (proxy list)', async () => {
    assert.deepEqual(ok(await server.api('GET', '/api/2.0/mlflow/artifacts/list', { run_id: runId })), {
      root_uri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
    });
    assert.deepEqual(ok(await server.api('GET', '/api/2.0/mlflow-artifacts/artifacts', { path: `${experimentId}/${runId}/artifacts` })), {});
  });

  it('PUT stores the raw bytes under the run folder of the store', async () => {
    await upload('a.txt', 'a');
    await upload('dir/b.txt', 'b');
    await upload('dir/weights.bin', binary);
    const folder = path.join(server.folder, 'artifacts', experimentId, runId, 'artifacts');
    assert.equal(fs.readFileSync(path.join(folder, 'a.txt'), 'utf8'), 'a');
    assert.ok(fs.readFileSync(path.join(folder, 'dir', 'weights.bin')).equals(binary));
    assert.deepEqual(fs.readdirSync(path.join(folder, 'dir')).sort(), ['b.txt', 'weights.bin'], 'no temporary files left behind');
  });

  it('GET downloads the bytes with MLflow\'s headers', async () => {
    const text = await server.api('GET', proxy('a.txt'));
    assert.equal(text.status, 200);
    assert.equal(text.text, 'a');
    assert.match(String(text.headers['content-type']), /^text\/plain/);
    assert.match(String(text.headers['content-disposition']), /^attachment; filename="?a\.txt"?$/);
    assert.equal(text.headers['x-content-type-options'], 'nosniff');
    const bin = await server.api('GET', proxy('dir/weights.bin'));
    assert.ok(bin.body.equals(binary), 'binary content round-trips byte for byte');
    assert.equal(bin.headers['content-length'], String(binary.length));
  });

  it('the proxy list names entries relative to the listed folder', async () => {
    const root = ok(await server.api('GET', '/api/2.0/mlflow-artifacts/artifacts', { path: `${experimentId}/${runId}/artifacts` }));
    assert.deepEqual(root.files, [{ path: 'a.txt', is_dir: false, file_size: 1 }, { path: 'dir', is_dir: true }]);
    const dir = ok(await server.api('GET', '/api/2.0/mlflow-artifacts/artifacts', { path: `${experimentId}/${runId}/artifacts/dir` }));
    assert.deepEqual(dir.files, [{ path: 'b.txt', is_dir: false, file_size: 1 }, { path: 'weights.bin', is_dir: false, file_size: 4096 }]);
  });

  it('artifacts/list names entries relative to the run root, with root_uri', async () => {
    const dir = ok(await server.api('GET', '/api/2.0/mlflow/artifacts/list', { run_id: runId, path: 'dir' }));
    assert.equal(dir.root_uri, `mlflow-artifacts:/${experimentId}/${runId}/artifacts`);
    assert.deepEqual(dir.files.map((f: { path: string }) => f.path), ['dir/b.txt', 'dir/weights.bin']);
    assert.equal(typeof dir.files[1].file_size, 'number', 'file_size (int64) is a JSON number');
    const byUuid = ok(await server.api('GET', '/api/2.0/mlflow/artifacts/list', { run_uuid: runId }));
    assert.deepEqual(byUuid.files.map((f: { path: string }) => f.path), ['a.txt', 'dir']);
  });

  it('the UI\'s /get-artifact route downloads a file of the run', async () => {
    const res = await server.api('GET', '/get-artifact', { run_uuid: runId, path: 'dir/b.txt' });
    assert.deepEqual([res.status, res.text], [200, 'b']);
  });

  it('the proxy answers under /ajax-api too', async () => {
    const res = await server.api('GET', `/ajax-api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/a.txt`);
    assert.deepEqual([res.status, res.text], [200, 'a']);
  });

  it('a missing file is 404 RESOURCE_DOES_NOT_EXIST (MLflow answers 500 here)', async () => {
    assertError(await server.api('GET', proxy('missing.txt')), 404, 'RESOURCE_DOES_NOT_EXIST', /missing\.txt/);
    assertError(await server.api('GET', '/get-artifact', { run_uuid: runId, path: 'missing.txt' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  });

  it('downloading a folder is a 400, not a 500', async () => {
    assertError(await server.api('GET', proxy('dir')), 400, 'INVALID_PARAMETER_VALUE', /is a directory/);
  });

  it('DELETE of a single file works (MLflow answers 500 here), then of a folder; a missing one is 404', async () => {
    assert.deepEqual(ok(await server.api('DELETE', proxy('a.txt'))), {});
    assertError(await server.api('GET', proxy('a.txt')), 404, 'RESOURCE_DOES_NOT_EXIST');
    assert.deepEqual(ok(await server.api('DELETE', proxy('dir'))), {});
    assert.deepEqual(ok(await server.api('GET', '/api/2.0/mlflow/artifacts/list', { run_id: runId })), {
      root_uri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
    });
    assertError(await server.api('DELETE', proxy('a.txt')), 404, 'RESOURCE_DOES_NOT_EXIST');
  });

  it('uploading where a file stands in for a folder is a 400', async () => {
    await upload('plain.txt', 'x');
    const res = await server.api('PUT', proxy('plain.txt/inner.txt'), undefined, { raw: 'y', headers: { 'Content-Type': 'application/octet-stream' } });
    assertError(res, 400, 'INVALID_PARAMETER_VALUE');
  });

  it('a run id under the wrong experiment, or an unknown run, is 404', async () => {
    assertError(await server.api('GET', `/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/plain.txt`), 404, 'RESOURCE_DOES_NOT_EXIST');
    assertError(await server.api('GET', `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${'f'.repeat(32)}/artifacts/x`), 404, 'RESOURCE_DOES_NOT_EXIST');
    assertError(await server.api('GET', '/api/2.0/mlflow/artifacts/list', { run_id: 'f'.repeat(32) }), 404, 'RESOURCE_DOES_NOT_EXIST');
  });

  it('multipart upload is answered 501 NOT_IMPLEMENTED with a pointer to PUT', async () => {
    const res = await server.api('POST', `/api/2.0/mlflow-artifacts/mpu/create/${experimentId}/${runId}/artifacts/big.bin`, { path: 'big.bin', num_parts: 2 });
    assertError(res, 501, 'NOT_IMPLEMENTED', /upload with PUT/);
  });
});
