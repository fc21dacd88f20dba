import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { TrackingServer } from '../../src/core/server/trackingServer';
import { StoreBackend } from '../../src/core/store/storeBackend';
import { newStoreFolder, runCli, startCliServer, startInProcessServer, type ApiResponse, type ServerHandle } from './helpers/serverFixture';

const RUNS_SEARCH = '/api/2.0/mlflow/runs/search';

function assertMlflowError(res: ApiResponse, status: number, code: string): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.json?.error_code, code, res.text);
  assert.equal(typeof res.json?.message, 'string');
}

/** Can a TCP connection be opened to address:port? */
function connects(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    socket.setTimeout(2000, () => (socket.destroy(), resolve(false)));
    socket.on('connect', () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
  });
}

describe('security of the tracking server', function () {
  this.timeout(60_000);
  let server: ServerHandle;
  let experimentId: string;
  let runId: string;
  let runFolder: string;
  let outside: string;

  before(async () => {
    server = await startInProcessServer();
    experimentId = (await server.api('POST', '/api/2.0/mlflow/experiments/create', { name: 'secure' })).json.experiment_id;
    runId = (await server.api('POST', '/api/2.0/mlflow/runs/create', { experiment_id: experimentId })).json.run.info.run_id;
    runFolder = path.join(server.folder, 'artifacts', experimentId, runId, 'artifacts');
    fs.mkdirSync(runFolder, { recursive: true });
    fs.writeFileSync(path.join(runFolder, 'inside.txt'), 'inside');
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'trackside-outside-'));
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'TOP SECRET');
    fs.symlinkSync(outside, path.join(runFolder, 'escape'));
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(runFolder, 'secret-link.txt'));
  });

  after(async () => {
    await server?.stop();
    fs.rmSync(outside, { recursive: true, force: true });
  });

  describe('bearer token', () => {
    for (const urlPath of [RUNS_SEARCH, '/ajax-api/2.0/mlflow/runs/search', '/api/2.0/trackside/metrics/summaries', '/api/2.0/mlflow/no-such-route']) {
      it(`refuses POST ${urlPath} without a token: 401 with WWW-Authenticate`, async () => {
        const res = await server.api('POST', urlPath, {}, { token: null });
        assertMlflowError(res, 401, 'UNAUTHENTICATED');
        assert.match(String(res.headers['www-authenticate']), /^Bearer /);
      });
    }

    it('refuses a GET of the artifact proxy without a token', async () => {
      const res = await server.api('GET', `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/inside.txt`, undefined, { token: null });
      assertMlflowError(res, 401, 'UNAUTHENTICATED');
      assert.doesNotMatch(res.text, /inside/);
    });

    it('refuses a wrong token, and the right token differing in one character', async () => {
      assertMlflowError(await server.api('POST', RUNS_SEARCH, {}, { token: 'not-the-token' }), 401, 'UNAUTHENTICATED');
      const oneOff = server.token.slice(0, -1) + (server.token.endsWith('A') ? 'B' : 'A');
      assertMlflowError(await server.api('POST', RUNS_SEARCH, {}, { token: oneOff }), 401, 'UNAUTHENTICATED');
    });

    for (const header of ['Basic {token}', 'Token {token}', '{token}', 'Bearer', 'Bearer {token}x']) {
      it(`refuses Authorization: ${header.replace('{token}', '<token>')}`, async () => {
        const res = await server.api('POST', RUNS_SEARCH, {}, { token: null, headers: { Authorization: header.replace('{token}', server.token) } });
        assertMlflowError(res, 401, 'UNAUTHENTICATED');
        assert.ok(res.headers['www-authenticate']);
      });
    }

    it('accepts Authorization: Bearer <token> (the scheme in any case)', async () => {
      assert.equal((await server.api('POST', RUNS_SEARCH, {})).status, 200);
      assert.equal((await server.api('POST', RUNS_SEARCH, {}, { token: null, headers: { Authorization: `bearer ${server.token}` } })).status, 200);
    });

    it('answers /health and /version without a token', async () => {
      const health = await server.api('GET', '/health', undefined, { token: null });
      assert.deepEqual([health.status, health.text], [200, 'OK']);
      const version = await server.api('GET', '/version', undefined, { token: null });
      assert.deepEqual([version.status, version.text], [200, '2.12.2']);
    });
  });

  describe('Host and Origin (DNS rebinding, web pages)', () => {
    it('refuses Host evil.com:<port> even with the right token', async () => {
      assertMlflowError(await server.api('POST', RUNS_SEARCH, {}, { host: `evil.com:${server.port}` }), 403, 'PERMISSION_DENIED');
    });

    it('refuses Host 127.0.0.1 with another port, and no port', async () => {
      assertMlflowError(await server.api('POST', RUNS_SEARCH, {}, { host: `127.0.0.1:${server.port + 1}` }), 403, 'PERMISSION_DENIED');
      assertMlflowError(await server.api('POST', RUNS_SEARCH, {}, { host: '127.0.0.1' }), 403, 'PERMISSION_DENIED');
    });

    it('refuses a request with no Host header, even for /health', async () => {
      assertMlflowError(await server.api('POST', RUNS_SEARCH, {}, { host: null }), 403, 'PERMISSION_DENIED');
      assertMlflowError(await server.api('GET', '/health', undefined, { host: null, token: null }), 403, 'PERMISSION_DENIED');
    });

    it('accepts Host localhost:<port> and 127.0.0.1:<port>', async () => {
      assert.equal((await server.api('POST', RUNS_SEARCH, {}, { host: `localhost:${server.port}` })).status, 200);
      assert.equal((await server.api('POST', RUNS_SEARCH, {}, { host: `127.0.0.1:${server.port}` })).status, 200);
    });

    for (const origin of ['http://localhost:{port}', 'http://127.0.0.1:{port}', 'null', 'https://evil.example']) {
      it(`refuses Origin: ${origin}`, async () => {
        const res = await server.api('POST', RUNS_SEARCH, {}, { headers: { Origin: origin.replace('{port}', String(server.port)) } });
        assertMlflowError(res, 403, 'PERMISSION_DENIED');
      });
    }
  });

  describe('artifact paths stay inside the run folder', () => {
    const proxy = (rest: string): string => `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/${rest}`;

    it('reads a file inside the run folder (the control case)', async () => {
      const res = await server.api('GET', proxy('artifacts/inside.txt'));
      assert.deepEqual([res.status, res.text], [200, 'inside']);
    });

    for (const rest of ['artifacts/../../../../../../etc/passwd', 'artifacts/%2e%2e/%2e%2e/%2E%2E/x', 'artifacts/..%2f..%2f..%2fsecret', 'artifacts\\..\\..\\x', '%2Fetc%2Fpasswd']) {
      it(`refuses GET, PUT and DELETE of the proxy path ${rest}: 400`, async () => {
        for (const method of ['GET', 'PUT', 'DELETE']) {
          const res = await server.api(method, proxy(rest), undefined, method === 'PUT' ? { raw: 'x', headers: { 'Content-Type': 'text/plain' } } : {});
          assertMlflowError(res, 400, 'INVALID_PARAMETER_VALUE');
        }
      });
    }

    it('refuses .. and absolute paths in the path query fields: 400', async () => {
      const cases: [string, Record<string, string>][] = [
        ['/api/2.0/mlflow/artifacts/list', { run_id: runId, path: '../..' }],
        ['/api/2.0/mlflow/artifacts/list', { run_id: runId, path: '/etc' }],
        ['/api/2.0/mlflow-artifacts/artifacts', { path: `${experimentId}/${runId}/artifacts/../../../..` }],
        ['/api/2.0/mlflow-artifacts/artifacts', { path: '/etc' }],
        ['/get-artifact', { run_uuid: runId, path: '../../../../etc/passwd' }],
        ['/get-artifact', { run_uuid: runId, path: '/etc/passwd' }],
      ];
      for (const [urlPath, query] of cases) {
        const res = await server.api('GET', urlPath, query);
        assertMlflowError(res, 400, 'INVALID_PARAMETER_VALUE');
        assert.doesNotMatch(res.text, /root:/);
      }
    });

    it('refuses reading, listing, writing and deleting through a symlink that leads out', async () => {
      const reads: [string, string, Record<string, string>?][] = [
        ['GET', proxy('artifacts/escape/secret.txt')],
        ['GET', proxy('artifacts/secret-link.txt')],
        ['GET', '/api/2.0/mlflow-artifacts/artifacts', { path: `${experimentId}/${runId}/artifacts/escape` }],
        ['GET', '/api/2.0/mlflow/artifacts/list', { run_id: runId, path: 'escape' }],
        ['GET', '/get-artifact', { run_uuid: runId, path: 'escape/secret.txt' }],
        ['DELETE', proxy('artifacts/escape/secret.txt')],
        ['DELETE', proxy('artifacts/escape')],
      ];
      for (const [method, urlPath, query] of reads) {
        const res = await server.api(method, urlPath, query);
        assertMlflowError(res, 400, 'INVALID_PARAMETER_VALUE');
        assert.doesNotMatch(res.text, /TOP SECRET/);
      }
      const upload = await server.api('PUT', proxy('artifacts/escape/planted.txt'), undefined, { raw: 'planted', headers: { 'Content-Type': 'text/plain' } });
      assertMlflowError(upload, 400, 'INVALID_PARAMETER_VALUE');
      assert.deepEqual(fs.readdirSync(outside), ['secret.txt'], 'nothing may be written or deleted outside the run folder');
      assert.equal(fs.readFileSync(path.join(outside, 'secret.txt'), 'utf8'), 'TOP SECRET');
    });
  });

  describe('request bodies are capped', () => {
    it('answers a declared 17 MB body with 413 and an MLflow error body', async () => {
      const res = await server.api('POST', RUNS_SEARCH, undefined, { raw: Buffer.alloc(17 * 1024 * 1024, 0x20) });
      assertMlflowError(res, 413, 'INVALID_PARAMETER_VALUE');
      assert.match(res.json.message, /exceeds the limit/);
    });

    it('answers a 17 MB chunked body (no Content-Length) with 413 too, and keeps serving', async () => {
      const res = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port: server.port, method: 'POST', path: RUNS_SEARCH, headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' } },
          (response) => {
            let text = '';
            response.on('data', (d: Buffer) => (text += d.toString()));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
        const chunk = Buffer.alloc(1024 * 1024, 0x20);
        for (let i = 0; i < 17; i++) req.write(chunk);
        req.end();
      });
      assert.equal(res.status, 413, res.text);
      assert.equal(JSON.parse(res.text).error_code, 'INVALID_PARAMETER_VALUE');
      assert.equal((await server.api('GET', '/health', undefined, { token: null })).status, 200);
    });
  });

  describe('listening address and port', () => {
    it('listens on 127.0.0.1 only: another loopback address and ::1 cannot connect', async () => {
      assert.ok(await connects('127.0.0.1', server.port), 'the control connection to 127.0.0.1 failed');
      if (process.platform === 'linux') assert.equal(await connects('127.0.0.2', server.port), false, '127.0.0.2 reached the server');
      assert.equal(await connects('::1', server.port), false, '::1 reached the server');
    });

    it('has one listening socket for its port, bound to 127.0.0.1 (not 0.0.0.0 or ::)', function () {
      // The brief suggests connecting to this machine's non-loopback address; this workplace forbids
      // traffic to private-range addresses, so the kernel's socket table is read instead (Linux).
      if (!fs.existsSync('/proc/net/tcp')) this.skip();
      const portHex = server.port.toString(16).toUpperCase().padStart(4, '0');
      const listening = ['/proc/net/tcp', '/proc/net/tcp6']
        .filter((file) => fs.existsSync(file))
        .flatMap((file) => fs.readFileSync(file, 'utf8').split('\n').slice(1))
        .map((line) => line.trim().split(/\s+/))
        .filter((fields) => fields.length > 3 && fields[1].endsWith(`:${portHex}`) && fields[3] === '0A')
        .map((fields) => fields[1].split(':')[0]);
      assert.deepEqual(listening, ['0100007F'], 'the listening address (hex, little-endian) should be 127.0.0.1 only');
    });

    it('refuses a fetch-blocked port in TrackingServer.start', async () => {
      const backend = await StoreBackend.inMemory();
      try {
        for (const port of [6000, 5060]) {
          await assert.rejects(TrackingServer.start({ backend, port, token: 't' }), new RegExp(`Port ${port} is on the browsers' blocked-port list`));
        }
      } finally {
        await backend.close();
      }
    });
  });

  describe('the trackside server command', () => {
    it('refuses --port 6000 with a clear message', async () => {
      const folder = newStoreFolder();
      try {
        const result = await runCli(['server', '--store', folder, '--port', '6000']);
        assert.notEqual(result.code, 0);
        assert.match(result.stderr, /6000 is on the browsers' blocked-port list.*choose another one/);
      } finally {
        fs.rmSync(folder, { recursive: true, force: true });
      }
    });

    it('keeps its token in a 0600 file and requires it', async () => {
      const cli = await startCliServer();
      try {
        assert.equal(fs.statSync(path.join(cli.folder, 'token')).mode & 0o777, 0o600);
        assert.ok(cli.token.length >= 32, 'the token should be long and random');
        assertMlflowError(await cli.api('POST', RUNS_SEARCH, {}, { token: null }), 401, 'UNAUTHENTICATED');
        assert.equal((await cli.api('POST', RUNS_SEARCH, {})).status, 200);
        assert.equal(await connects('::1', cli.port), false);
      } finally {
        await cli.stop();
      }
    });
  });
});
