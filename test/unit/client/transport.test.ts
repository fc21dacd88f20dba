import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TrackingClient, environmentOptions } from '../../../src/core/client/trackingClient';
import { TrackingClientError } from '../../../src/core/client/trackingClientError';
import { ScriptedServer, ServerFixture } from './clientFixture';

const isClientError = (check: (e: TrackingClientError) => boolean) => (e: unknown): boolean => {
  assert.ok(e instanceof TrackingClientError, `expected a TrackingClientError, got ${String(e)}`);
  return check(e);
};

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

describe('TrackingClient: errors from a real server', () => {
  let fixture: ServerFixture;

  before(async () => {
    fixture = await ServerFixture.start();
  });
  after(async () => {
    await fixture.stop();
  });

  it('maps a missing run to a 404 with MLflow\'s code and the server\'s message', async () => {
    await assert.rejects(
      fixture.client.runs.get('0123456789abcdef0123456789abcdef'),
      isClientError((e) => e.status === 404 && e.errorCode === 'RESOURCE_DOES_NOT_EXIST' && /0123456789abcdef0123456789abcdef/.test(e.message) && e.isNotFound),
    );
  });

  it('keeps the server\'s 400 message for invalid values', async () => {
    const runId = (await fixture.client.runs.create({ experimentId: '0' })).info.run_id;
    await assert.rejects(
      fixture.client.runs.logMetric(runId, 'bad key!', 1),
      isClientError((e) => e.status === 400 && e.errorCode === 'INVALID_PARAMETER_VALUE' && e.message.startsWith("Invalid metric name: 'bad key!'")),
    );
    await fixture.client.runs.logParam(runId, 'alpha', '0.5');
    await assert.rejects(
      fixture.client.runs.logParam(runId, 'alpha', '0.7'),
      isClientError((e) => e.status === 400 && /Changing param values is not allowed/.test(e.message)),
    );
  });

  it('answers 401 with a hint about MLFLOW_TRACKING_TOKEN, without a token or with a wrong one', async () => {
    for (const token of [undefined, 'wrong-token']) {
      const client = fixture.clientWith({ token });
      try {
        await assert.rejects(
          client.experiments.get('0'),
          isClientError((e) => e.status === 401 && e.errorCode === 'UNAUTHENTICATED' && e.message.includes('MLFLOW_TRACKING_TOKEN') && e.message.includes(fixture.server.url)),
        );
      } finally {
        client.close();
      }
    }
  });

  it('checks /health', async () => {
    await fixture.client.health();
  });
});

describe('TrackingClient: connection errors, retries and timeouts', () => {
  it('names the URI when the connection is refused, after retrying an idempotent request', async () => {
    const port = await closedPort();
    // Options given as undefined (as environmentOptions leaves them) keep their defaults.
    const client = new TrackingClient({ trackingUri: `http://127.0.0.1:${port}`, retryBackoffMs: 1, maxRetries: 2, timeoutMs: undefined, userAgent: undefined });
    await assert.rejects(
      client.experiments.get('0'),
      isClientError((e) => e.status === 0 && e.errorCode === 'CONNECTION_ERROR' && e.message.includes(`http://127.0.0.1:${port}`) && /connection refused/.test(e.message)),
    );
    await assert.rejects(client.health(), isClientError((e) => e.errorCode === 'CONNECTION_ERROR'));
  });

  it('retries a GET after 503 and succeeds', async () => {
    const server = await ScriptedServer.start((req, res, _body, index) => {
      if (index === 0) return json(res, 503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'busy' });
      json(res, 200, { experiment: { experiment_id: '0', name: 'Default', artifact_location: 'x', lifecycle_stage: 'active' } });
    });
    const client = new TrackingClient({ trackingUri: server.url, retryBackoffMs: 1 });
    try {
      assert.equal((await client.experiments.get('0')).name, 'Default');
      assert.equal(server.requests.length, 2);
    } finally {
      client.close();
      await server.stop();
    }
  });

  it('retries log-batch (de-duplicated by the server) on 502/504/429, honouring Retry-After', async () => {
    const statuses = [502, 504, 429];
    const server = await ScriptedServer.start((req, res, _body, index) => {
      if (index < statuses.length) return json(res, statuses[index], { error_code: 'X', message: 'later' }, { 'Retry-After': '0' });
      json(res, 200, {});
    });
    const client = new TrackingClient({ trackingUri: server.url, retryBackoffMs: 1 });
    try {
      await client.runs.logBatch('r1', { metrics: [{ key: 'm', value: 1 }] });
      assert.equal(server.requests.length, 4);
      assert.ok(server.requests.every((r) => r.method === 'POST' && r.url === '/api/2.0/mlflow/runs/log-batch'));
      assert.equal(server.requests[0].body, server.requests[3].body, 'the same body each time');
    } finally {
      client.close();
      await server.stop();
    }
  });

  it('never retries a 400, nor a write that is not idempotent (runs/create on 503)', async () => {
    const server = await ScriptedServer.start((req, res) => {
      if (req.url?.includes('runs/get')) return json(res, 400, { error_code: 'INVALID_PARAMETER_VALUE', message: 'bad run id' });
      json(res, 503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'busy' });
    });
    const client = new TrackingClient({ trackingUri: server.url, retryBackoffMs: 1 });
    try {
      await assert.rejects(client.runs.get('x'), isClientError((e) => e.status === 400 && e.message === 'bad run id'));
      assert.equal(server.requests.length, 1);
      await assert.rejects(client.runs.create({ experimentId: '0' }), isClientError((e) => e.status === 503 && e.errorCode === 'TEMPORARILY_UNAVAILABLE'));
      assert.equal(server.requests.length, 2, 'runs/create is sent once: a retry could create two runs');
    } finally {
      client.close();
      await server.stop();
    }
  });

  it('gives up after maxRetries', async () => {
    const server = await ScriptedServer.start((req, res) => json(res, 503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'down for maintenance' }));
    const client = new TrackingClient({ trackingUri: server.url, retryBackoffMs: 1, maxRetries: 3 });
    try {
      await assert.rejects(client.experiments.get('0'), isClientError((e) => e.status === 503 && e.message === 'down for maintenance'));
      assert.equal(server.requests.length, 4);
    } finally {
      client.close();
      await server.stop();
    }
  });

  it('reports a non-JSON error body as MLflow\'s client does, and a timeout as DEADLINE_EXCEEDED', async () => {
    const server = await ScriptedServer.start((req, res) => {
      if (req.url?.startsWith('/slow')) return; // never answers
      res.writeHead(404, { 'Content-Type': 'text/html' });
      res.end('<h1>Not Found</h1>');
    });
    const client = new TrackingClient({ trackingUri: server.url, retryBackoffMs: 1, timeoutMs: 200 });
    const slow = new TrackingClient({ trackingUri: `${server.url}/slow`, retryBackoffMs: 1, timeoutMs: 200 });
    try {
      await assert.rejects(
        client.experiments.get('0'),
        isClientError((e) => e.status === 404 && e.errorCode === 'ENDPOINT_NOT_FOUND' && e.message.includes("Response body: '<h1>Not Found</h1>'")),
      );
      const started = Date.now();
      await assert.rejects(slow.experiments.get('0'), isClientError((e) => e.errorCode === 'DEADLINE_EXCEEDED' && e.message.includes('0.2 s')));
      assert.ok(Date.now() - started < 2000, 'a timeout is not retried');
    } finally {
      client.close();
      slow.close();
      await server.stop();
    }
  });

  it('sends get-latest-versions as POST, then as GET when the server has no POST route', async () => {
    const server = await ScriptedServer.start((req, res) => {
      if (req.method === 'POST') return json(res, 404, { error_code: 'ENDPOINT_NOT_FOUND', message: 'no POST' });
      json(res, 200, { model_versions: [{ name: 'm', version: '3' }] });
    });
    const client = new TrackingClient({ trackingUri: server.url });
    try {
      assert.deepEqual((await client.registeredModels.getLatestVersions('m', ['Production'])).map((v) => v.version), ['3']);
      assert.deepEqual(server.requests.map((r) => `${r.method} ${r.url}`), [
        'POST /api/2.0/mlflow/registered-models/get-latest-versions',
        'GET /api/2.0/mlflow/registered-models/get-latest-versions?name=m&stages=Production',
      ]);
    } finally {
      client.close();
      await server.stop();
    }
  });

  it('keeps a path prefix of the tracking URI and sends the token and user agent', async () => {
    const server = await ScriptedServer.start((req, res) => json(res, 200, { experiment: { experiment_id: '7' } }));
    const client = new TrackingClient({ trackingUri: `${server.url}/mlflow/`, token: 't0k', userAgent: 'trackside-test/1' });
    const basic = new TrackingClient({ trackingUri: server.url.replace('http://', 'http://ada:s%3Acret@') });
    try {
      await client.experiments.get('7');
      await basic.experiments.get('7');
      assert.equal(server.requests[0].url, '/mlflow/api/2.0/mlflow/experiments/get?experiment_id=7');
      assert.equal(server.requests[0].headers.authorization, 'Bearer t0k');
      assert.equal(server.requests[0].headers['user-agent'], 'trackside-test/1');
      assert.equal(server.requests[1].headers.authorization, `Basic ${Buffer.from('ada:s:cret').toString('base64')}`);
      assert.equal(client.trackingUri, `${server.url}/mlflow`);
      assert.equal(basic.trackingUri, server.url, 'credentials are not part of the shown URI');
    } finally {
      client.close();
      basic.close();
      await server.stop();
    }
  });

  it('rejects tracking URIs that are not http(s) servers', () => {
    assert.throws(() => new TrackingClient({ trackingUri: 'sqlite:///mlflow.db' }), /not an http\(s\) server/);
    assert.throws(() => new TrackingClient({ trackingUri: 'not a uri' }), /Invalid tracking URI/);
  });

  it('reads MLflow\'s environment variables', () => {
    assert.equal(environmentOptions({}), undefined);
    assert.deepEqual(
      environmentOptions({ MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000', MLFLOW_TRACKING_TOKEN: 'abc', MLFLOW_HTTP_REQUEST_TIMEOUT: '30', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' }),
      { trackingUri: 'http://127.0.0.1:5000', token: 'abc', username: undefined, password: undefined, timeoutMs: 30_000, maxRetries: 0 },
    );
    const client = TrackingClient.fromEnvironment({ MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000/', MLFLOW_TRACKING_TOKEN: 'abc' });
    assert.equal(client.trackingUri, 'http://127.0.0.1:5000');
    assert.equal(client.token, 'abc');
    assert.throws(() => TrackingClient.fromEnvironment({}), /MLFLOW_TRACKING_URI is not set/);
  });
});
