import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { readMlModel, servingInputExample } from '../../../src/core/models/mlModelFile';
import type { LocalModel } from '../../../src/core/models/modelCache';
import { ModelServer } from '../../../src/core/models/modelServer';
import { getFromModelServer, invokeModel } from '../../../src/core/models/scoringRequest';
import { ServingEndpoints } from '../../../src/core/models/servingEndpoints';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { expectedSpend, runtime, saveDemoModel } from './modelsFixture';

const ROWS = [
  { tenure: 12, plan: 2, calls: 1.5 },
  { tenure: 40, plan: 1, calls: 0 },
];
const EXPECTED = ROWS.map(expectedSpend);
const COLUMNS = ['tenure', 'plan', 'calls'] as const;

/** A request with a Host header of our choosing (node:http sets it from the URL otherwise). */
function getWithHost(url: string, pathName: string, host: string): Promise<number> {
  const target = new URL(pathName, url);
  return new Promise((resolve, reject) => {
    http
      .get({ host: target.hostname, port: target.port, path: target.pathname, headers: { Host: host } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

describe('model serving (python3 scoring server, MLflow protocol)', function () {
  this.timeout(60_000);
  let folder: string;
  let modelFolder: string;
  let server: ModelServer;
  const logs: string[] = [];

  before(async () => {
    folder = tempFolder('trackside-serving-');
    modelFolder = await saveDemoModel(path.join(folder, 'model'));
    server = await ModelServer.start(runtime(), { modelFolder, onLog: (line) => logs.push(line) });
  });

  after(async () => {
    await server?.stop();
    removeFolder(folder);
  });

  it('listens on 127.0.0.1 and answers /ping, /health and /version', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(server.flavor, 'trackside.pickle');
    for (const route of ['/ping', '/health']) assert.equal((await getFromModelServer(server.url, route)).status, 200);
    const version = await getFromModelServer(server.url, '/version');
    assert.equal(version.status, 200);
    assert.match(String(version.body), /^\d+\.\d+\.\d+$/);
    const missing = await getFromModelServer(server.url, '/nope');
    assert.equal(missing.status, 404);
  });

  it('answers every JSON payload form and CSV with {"predictions": [...]}', async () => {
    const payloads: Record<string, unknown> = {
      dataframe_split: { dataframe_split: { columns: COLUMNS, data: ROWS.map((r) => COLUMNS.map((c) => r[c])) } },
      dataframe_records: { dataframe_records: ROWS },
      instances: { instances: ROWS },
      'inputs (columns)': { inputs: Object.fromEntries(COLUMNS.map((c) => [c, ROWS.map((r) => r[c])])) },
      'inputs (records) with params': { inputs: ROWS, params: {} },
    };
    for (const [form, payload] of Object.entries(payloads)) {
      const answer = await invokeModel(server.url, payload);
      assert.equal(answer.status, 200, `${form}: ${JSON.stringify(answer.body)}`);
      assert.deepEqual(answer.body, { predictions: EXPECTED }, form);
    }
    const csv = 'calls,tenure,plan,unused\n1.5,12,2,x\n0,40,1,y\n';
    const answer = await invokeModel(server.url, csv, { contentType: 'text/csv' });
    assert.deepEqual(answer.body, { predictions: EXPECTED });
  });

  it('answers the model\u2019s own input example (what "Send Test Request" posts)', async () => {
    const example = await servingInputExample(await readMlModel(modelFolder));
    const answer = await invokeModel(server.url, example);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { predictions: EXPECTED });
  });

  it('rejects bad payloads with 400 and a message saying what is wrong', async () => {
    const cases: [string, unknown, string | undefined, number, RegExp][] = [
      ['not JSON', '{"dataframe_records": [', undefined, 400, /must be JSON/],
      ['no known field', { rows: ROWS }, undefined, 400, /exactly one of the fields dataframe_split, dataframe_records, instances, inputs; it has: rows/],
      ['two fields', { instances: ROWS, inputs: ROWS }, undefined, 400, /exactly one of the fields/],
      ['split without data', { dataframe_split: { columns: COLUMNS } }, undefined, 400, /'data'/],
      ['ragged rows', { dataframe_split: { columns: COLUMNS, data: [[1, 2, 3], [1, 2]] } }, undefined, 400, /Row 2 has 2 values but row 1 has 3/],
      ['missing column', { dataframe_records: [{ tenure: 1, plan: 1 }] }, undefined, 400, /missing a column that the model's signature requires: 'calls'/],
      ['wrong type', { dataframe_records: [{ tenure: 1.5, plan: 1, calls: 0 }] }, undefined, 400, /Column 'tenure' row 1: 1\.5 is not a valid long/],
      ['records not objects', { dataframe_records: [1, 2] }, undefined, 400, /Row 1 is not a JSON object/],
      ['empty CSV', '', 'text/csv', 400, /header row/],
      ['unsupported type', 'x', 'text/plain', 415, /Unsupported content type 'text\/plain'/],
    ];
    for (const [what, body, contentType, status, message] of cases) {
      const answer = await invokeModel(server.url, body, { contentType });
      assert.equal(answer.status, status, what);
      const error = answer.body as { error_code: string; message: string };
      assert.equal(error.error_code, 'BAD_REQUEST', what);
      assert.match(error.message, message, what);
    }
    // The server keeps serving after bad requests.
    assert.equal((await invokeModel(server.url, { dataframe_records: ROWS })).status, 200);
  });

  it('refuses requests addressed to another host (DNS rebinding), and logs each request', async () => {
    assert.equal(await getWithHost(server.url, '/ping', 'attacker.example:80'), 403);
    assert.equal(await getWithHost(server.url, '/ping', `localhost:${server.port}`), 200);
    assert.ok(logs.some((line) => /"POST \/invocations" 200 [\d.]+ ms/.test(line)), logs.join('\n'));
    assert.ok(server.logs.some((line) => /"GET \/ping" 403/.test(line)));
  });

  it('fails to start with the reason when the folder is not a model', async () => {
    await assert.rejects(ModelServer.start(runtime(), { modelFolder: folder }), /did not start: No MLmodel file/);
    await assert.rejects(
      ModelServer.start({ ...runtime(), interpreter: path.join(folder, 'no-such-python') }, { modelFolder }),
      /interpreter '.*no-such-python' was not found/,
    );
  });

  it('never outlives the process that started it', async () => {
    const script = [
      `const { ModelServer } = require(${JSON.stringify(require.resolve('../../../src/core/models/modelServer'))});`,
      `ModelServer.start(${JSON.stringify(runtime())}, { modelFolder: ${JSON.stringify(modelFolder)} })`,
      '  .then((server) => console.log(`${server.pid} ${server.url}`));',
    ].join('\n');
    const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [pid, url] = await new Promise<string[]>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim().split(' '))));
    assert.equal((await getFromModelServer(url, '/ping')).status, 200);
    parent.kill('SIGKILL'); // no chance to stop its child: the closed stdin does it
    const deadline = Date.now() + 10_000;
    const alive = (): boolean => {
      try {
        process.kill(Number(pid), 0);
        return true;
      } catch {
        return false;
      }
    };
    while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(), false, `the scoring server (pid ${pid}) still runs`);
  });

  it('keeps a list of endpoints: serve once per version, stop, and tell listeners', async () => {
    const endpoints = new ServingEndpoints();
    let changes = 0;
    endpoints.onDidChange(() => changes++);
    const model = { uri: 'models:/spend/3', name: 'spend', version: '3', folder: modelFolder, artifactUri: '', cached: true, mlModel: await readMlModel(modelFolder) } as LocalModel;
    const endpoint = await endpoints.serve(runtime(), model);
    assert.equal(endpoint.label, 'spend v3');
    assert.equal(await endpoints.serve(runtime(), model), endpoint, 'a second serve reuses the running server');
    assert.deepEqual(endpoints.list().map((e) => e.id), ['spend/3']);
    assert.equal(endpoints.forModel(model), endpoint);
    assert.equal((await invokeModel(endpoint.url, { dataframe_records: ROWS })).status, 200);
    await endpoints.stop('spend/3');
    assert.deepEqual(endpoints.list(), []);
    assert.equal(endpoint.server.running, false);
    assert.equal(changes, 2);
    await assert.rejects(getFromModelServer(endpoint.url, '/ping', { timeoutMs: 2000 }), /ECONNREFUSED/);
  });
});
