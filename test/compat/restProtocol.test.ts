import assert from 'node:assert/strict';
import net from 'node:net';
import { assertError, ok } from './helpers/mlflowAssertions';
import { startInProcessServer, type ServerHandle } from './helpers/serverFixture';

/** Sends raw bytes on a socket and reads the whole answer (for requests Node's client will not build). */
function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(text));
    let answer = '';
    socket.on('data', (d) => (answer += d.toString('latin1')));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** Request parsing, content types, routing and the 4xx-never-5xx rule, including the fuzzer's finds. */
describe('REST: request parsing and routing', function () {
  this.timeout(30_000);
  let server: ServerHandle;
  let runId: string;
  const SEARCH = '/api/2.0/mlflow/runs/search';

  before(async () => {
    server = await startInProcessServer();
    runId = ok(await server.api('POST', '/api/2.0/mlflow/runs/create', {})).run.info.run_id;
  });
  after(() => server?.stop());

  describe('content type and body', () => {
    const CONTENT_TYPE_MESSAGE = "Bad Request. Content-Type must be one of ['application/json'].";

    it('a POST without a JSON content type: 400 with MLflow\'s exact message', async () => {
      for (const type of [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'application/jsonx']) {
        const res = await server.api('POST', SEARCH, {}, { headers: { 'Content-Type': type } });
        assertError(res, 400, 'INVALID_PARAMETER_VALUE', CONTENT_TYPE_MESSAGE);
      }
    });

    it('accepts application/json with parameters, in any case', async () => {
      assert.deepEqual(ok(await server.api('POST', SEARCH, {}, { headers: { 'Content-Type': 'Application/JSON; charset=utf-8' } })), {});
    });

    it('an empty body with a JSON content type is {}', async () => {
      assert.deepEqual(ok(await server.api('POST', SEARCH, undefined, { raw: '' })), {});
    });

    it('malformed JSON, or JSON that is not an object: 400 (MLflow would treat it as {})', async () => {
      for (const raw of ['{"filter": ', '{bad}', '[1, 2]', '"text"', 'null', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])]) {
        const res = await server.api('POST', SEARCH, undefined, { raw });
        assertError(res, 400, 'INVALID_PARAMETER_VALUE', /Malformed JSON|must be a JSON object/);
      }
    });

    it('JSON nested deeper than 100 levels: 400 (it overflowed the stack: a 500 before)', async () => {
      const raw = `{"run_id": ${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
      assertError(await server.api('POST', '/api/2.0/mlflow/runs/update', undefined, { raw }), 400, 'INVALID_PARAMETER_VALUE', /nested more than 100 levels/);
      assert.equal(ok(await server.api('POST', '/api/2.0/mlflow/runs/update', { run_id: runId, run_name: 'x' })).run_info.run_name, 'x');
    });

    it('every answer, success or error, is Content-Type: application/json', async () => {
      for (const res of [await server.api('POST', SEARCH, {}), await server.api('GET', '/api/2.0/mlflow/runs/get', {})]) {
        assert.match(String(res.headers['content-type']), /^application\/json/);
        assert.notEqual(res.json, undefined);
      }
    });
  });

  describe('routing', () => {
    it('an unknown route: JSON 404 ENDPOINT_NOT_FOUND under /api, /ajax-api and /', async () => {
      for (const urlPath of ['/api/2.0/mlflow/no-such-thing', '/ajax-api/2.0/mlflow/no-such-thing', '/api/2.0/mlflow/experiments/list', '/api/9.9/x', '/nope']) {
        assertError(await server.api('GET', urlPath), 404, 'ENDPOINT_NOT_FOUND');
      }
    });

    it('a known path with the wrong method: JSON 404 ENDPOINT_NOT_FOUND naming the method', async () => {
      assertError(await server.api('GET', '/api/2.0/mlflow/runs/create'), 404, 'ENDPOINT_NOT_FOUND', /does not accept GET/);
      assertError(await server.api('DELETE', SEARCH, {}), 404, 'ENDPOINT_NOT_FOUND', /does not accept DELETE/);
    });

    it('/version answers the MLflow version, or Trackside\'s extras as JSON when asked', async () => {
      const json = await server.api('GET', '/version', undefined, { token: null, headers: { Accept: 'application/json' } });
      assert.equal(json.json.mlflow, '2.12.2');
      assert.ok(Array.isArray(json.json.extras));
    });

    it('a request Node\'s HTTP parser refuses is answered 400 with an MLflow JSON body (a bare 400 before)', async () => {
      const answer = await rawExchange(server.port, `GARBAGE\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 400 /);
      assert.match(answer, /Content-Type: application\/json/);
      assert.equal(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error_code, 'BAD_REQUEST');
    });

    it('headers over Node\'s limit: 431 with an MLflow JSON body', async () => {
      const answer = await rawExchange(server.port, `GET /health HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 431 /);
      assert.match(answer, /"error_code":"BAD_REQUEST"/);
    });
  });

  describe('odd shapes are client errors (400), never 500 — found by the fuzzer', () => {
    it('null or scalar entries in metrics, params and tags lists', async () => {
      for (const body of [{ metrics: [null] }, { params: ['x'] }, { tags: [7] }, { metrics: [[]] }]) {
        assertError(await server.api('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: runId, ...body }), 400, 'INVALID_PARAMETER_VALUE', /each entry must be an object/);
      }
      assertError(await server.api('POST', '/api/2.0/mlflow/runs/create', { tags: [null] }), 400, 'INVALID_PARAMETER_VALUE');
      assertError(await server.api('POST', '/api/2.0/mlflow/experiments/create', { name: 'n', tags: ['t'] }), 400, 'INVALID_PARAMETER_VALUE');
    });

    it('order_by entries that are not strings', async () => {
      assertError(await server.api('POST', SEARCH, { order_by: [['metrics.a']] }), 400, 'INVALID_PARAMETER_VALUE', /must be a list of strings/);
      assertError(await server.api('POST', '/api/2.0/mlflow/experiments/search', { order_by: [{}] }), 400, 'INVALID_PARAMETER_VALUE');
    });

    it('steps and timestamps beyond 2^53 (a step of 1e308 made closing the store loop forever)', async () => {
      const metric = { run_id: runId, key: 'big', value: 1, timestamp: 1 };
      for (const extra of [{ step: 1e308 }, { step: -9223372036854775808 }, { step: '1e20' }, { timestamp: 1e300 }]) {
        assertError(await server.api('POST', '/api/2.0/mlflow/runs/log-metric', { ...metric, ...extra }), 400, 'INVALID_PARAMETER_VALUE');
      }
      assertError(await server.api('POST', '/api/2.0/mlflow/runs/create', { start_time: 1e300 }), 400, 'INVALID_PARAMETER_VALUE', /must be an integer/);
      ok(await server.api('POST', '/api/2.0/mlflow/runs/log-metric', { ...metric, step: Number.MAX_SAFE_INTEGER }));
    });

    it('log-model refuses a model that would overflow the 5000-character history tag (it was truncated, then every call was a 500)', async () => {
      const model = JSON.stringify({ artifact_path: 'model', flavors: { python_function: { loader_module: 'x'.repeat(900) } } });
      let refused: Awaited<ReturnType<ServerHandle['api']>> | undefined;
      for (let i = 0; i < 10 && !refused; i++) {
        const res = await server.api('POST', '/api/2.0/mlflow/runs/log-model', { run_id: runId, model_json: model });
        if (res.status !== 200) refused = res;
      }
      assert.ok(refused, 'the 6th model should have been refused');
      assertError(refused, 400, 'INVALID_PARAMETER_VALUE', /5000-character limit/);
      const { run } = ok(await server.api('GET', '/api/2.0/mlflow/runs/get', { run_id: runId }));
      const history = JSON.parse(run.data.tags.find((t: { key: string }) => t.key === 'mlflow.log-model.history').value);
      assert.equal(history.length, 5, 'the history still parses and holds the models accepted');
    });
  });
});
