import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TrackingClient } from '../../../src/core/client/trackingClient';
import { PUSH_TAGS } from '../../../src/core/interop/pushSummary';
import { TrackingServer } from '../../../src/core/server/trackingServer';
import { StoreBackend } from '../../../src/core/store/storeBackend';
import type { KeyValue, ModelVersion, Run } from '../../../src/shared/entities';

/** A store folder served on a loopback port, with a client, counting the mutations applied to it. */
export class ServedStore {
  mutations = 0;

  private constructor(readonly backend: StoreBackend, readonly server: TrackingServer, readonly client: TrackingClient, readonly token: string) {
    backend.store.onMutation(() => this.mutations++);
  }

  static async open(folder: string): Promise<ServedStore> {
    const backend = await StoreBackend.open(folder, { owner: 'test', idleCheckpointMs: 0 });
    const token = crypto.randomBytes(16).toString('hex');
    const server = await TrackingServer.start({ backend, port: 0, token });
    return new ServedStore(backend, server, new TrackingClient({ trackingUri: server.url, token, maxRetries: 0 }), token);
  }

  async close(): Promise<void> {
    this.client.close();
    await this.server.close();
    await this.backend.close();
  }
}

export interface ProxiedRequest {
  method: string;
  path: string;
}

export interface ProxyOptions {
  /** Answer `/version` as plain MLflow does (no Trackside extras). */
  plainMlflow?: boolean;
  /** Called for each request before it is forwarded; `drop-answer` forwards it but closes the connection instead of answering. */
  onRequest?(request: ProxiedRequest, index: number): 'forward' | 'drop-answer';
}

/** Endpoints that only read although they are POSTed. */
const READS_BY_POST = ['/runs/search', '/experiments/search', '/metrics/summaries', '/metrics/sampled', '/runs/table', '/runs/children', '/get-latest-versions'];

/**
 * A loopback HTTP proxy in front of a server that counts what a client sends it (so a test can
 * tell what a push wrote), can pose as plain MLflow, and can lose an answer on purpose.
 */
export class CountingProxy {
  readonly requests: ProxiedRequest[] = [];

  private constructor(private readonly server: http.Server, private readonly options: ProxyOptions) {}

  static async start(targetUrl: string, options: ProxyOptions = {}): Promise<CountingProxy> {
    const target = new URL(targetUrl);
    const server = http.createServer();
    const proxy = new CountingProxy(server, options);
    server.on('request', (req, res) => proxy.forward(target, req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests that change something (anything but GET and the searches MLflow sends as POST). */
  get writes(): ProxiedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET' && !READS_BY_POST.some((read) => r.path.endsWith(read)));
  }

  reset(): void {
    this.requests.length = 0;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private forward(target: URL, req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (this.options.plainMlflow && path === '/version') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('2.12.2');
      return;
    }
    const request = { method: req.method ?? 'GET', path };
    this.requests.push(request);
    const action = this.options.onRequest?.(request, this.requests.length - 1) ?? 'forward';
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (answer) => {
        if (action === 'drop-answer') {
          answer.resume();
          answer.on('end', () => res.socket?.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
}

const byKey = (a: KeyValue, b: KeyValue): number => a.key.localeCompare(b.key);

/**
 * The target's run that a local run was pushed to: by the id recorded on the local run, or for a
 * deleted run (which takes no tags) the one run on the target carrying its id as source tag.
 */
export async function remoteRunOf(local: TrackingClient, target: TrackingClient, targetKey: string, runId: string): Promise<Run> {
  const run = await local.runs.get(runId);
  const remoteId = run.data.tags?.find((t) => t.key === PUSH_TAGS.runId(targetKey))?.value;
  if (run.info.lifecycle_stage === 'active') {
    assert.ok(remoteId, `run ${runId} records where it was pushed`);
    return target.runs.get(remoteId);
  }
  const experimentIds = (await target.experiments.searchAll({ viewType: 'ALL' })).map((e) => e.experiment_id);
  const found = await target.runs.searchAll({ experimentIds, filter: `tags.\`${PUSH_TAGS.sourceRunId}\` = '${runId}'`, runViewType: 'ALL' });
  assert.equal(found.length, 1, `deleted run ${runId} is on the target once`);
  return found[0];
}

/**
 * Asserts that every given local run is on the target exactly once, with the same experiment name,
 * name, status, times, user, lifecycle, params, tags (the parent link mapped), every metric point
 * of every key, dataset inputs and artifact files.
 */
export async function expectRunsPushed(local: TrackingClient, target: TrackingClient, targetKey: string, runIds: readonly string[]): Promise<void> {
  const remoteIds = new Map<string, string>();
  for (const runId of runIds) remoteIds.set(runId, (await remoteRunOf(local, target, targetKey, runId)).info.run_id);
  assert.equal(new Set(remoteIds.values()).size, runIds.length, 'every run went to a run of its own');
  for (const runId of runIds) {
    const source = await local.runs.get(runId);
    const remote = await target.runs.get(remoteIds.get(runId)!);
    const label = `run ${source.info.run_name} (${runId})`;
    const [sourceExperiment, remoteExperiment] = [await local.experiments.get(source.info.experiment_id), await target.experiments.get(remote.info.experiment_id)];
    assert.equal(remoteExperiment.name, sourceExperiment.name, `${label}: experiment`);
    for (const field of ['run_name', 'status', 'start_time', 'end_time', 'user_id', 'lifecycle_stage'] as const) {
      assert.equal(remote.info[field], source.info[field], `${label}: ${field}`);
    }
    assert.deepEqual(remote.data.params ?? [], source.data.params ?? [], `${label}: params`);
    const parent = source.data.tags?.find((t) => t.key === 'mlflow.parentRunId')?.value;
    const wantTags = (source.data.tags ?? [])
      .filter((t) => !t.key.startsWith(PUSH_TAGS.localPrefix))
      .map((t) => (t.key === 'mlflow.parentRunId' ? { key: t.key, value: remoteIds.get(parent!) ?? 'not pushed' } : t))
      .concat([{ key: PUSH_TAGS.sourceRunId, value: runId }])
      .sort(byKey);
    assert.deepEqual([...(remote.data.tags ?? [])].sort(byKey), wantTags, `${label}: tags`);
    const keys = (source.data.metrics ?? []).map((m) => m.key).sort();
    assert.deepEqual((remote.data.metrics ?? []).map((m) => m.key).sort(), keys, `${label}: metric keys`);
    for (const key of keys) {
      const want = await local.metrics.getHistory(runId, key);
      const got = await target.metrics.getHistory(remote.info.run_id, key);
      assert.equal(got.length, want.length, `${label}: number of '${key}' points`);
      assert.deepEqual(got, want, `${label}: every '${key}' point`);
    }
    const inputs = (run: Run): string[] => (run.inputs?.dataset_inputs ?? []).map((i) => JSON.stringify([i.dataset, i.tags ?? []])).sort();
    assert.deepEqual(inputs(remote), inputs(source), `${label}: dataset inputs`);
    const files = async (client: TrackingClient, id: string): Promise<[string, string][]> => {
      const out: [string, string][] = [];
      for await (const file of client.artifacts.walk(id)) out.push([file.path, (await client.artifacts.read(id, file.path)).toString('utf8')]);
      return out;
    };
    assert.deepEqual(await files(target, remote.info.run_id), await files(local, runId), `${label}: artifact files`);
  }
}

/**
 * Asserts that each local registered model is on the target with its description and tags, every
 * version (matched by `trackside.source_version`) with its stage, description, tags and a source
 * pointing into the pushed run, and its aliases on the matching versions.
 */
export async function expectModelsPushed(local: TrackingClient, target: TrackingClient, targetKey: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const source = await local.registeredModels.get(name);
    const remote = await target.registeredModels.get(name);
    assert.equal(remote.description, source.description, `${name}: description`);
    assert.deepEqual(remote.tags ?? [], source.tags ?? [], `${name}: tags`);
    const versions = await local.modelVersions.searchAll({ filter: `name='${name}'` });
    const remoteVersions = await target.modelVersions.searchAll({ filter: `name='${name}'` });
    assert.equal(remoteVersions.length, versions.length, `${name}: one target version per local version`);
    const mapped = new Map<string, ModelVersion>();
    for (const v of remoteVersions) mapped.set(v.tags?.find((t) => t.key === PUSH_TAGS.sourceVersion)?.value ?? '?', v);
    for (const v of versions) {
      const got = mapped.get(v.version);
      const label = `${name} v${v.version}`;
      assert.ok(got, `${label} was pushed`);
      assert.equal(v.tags?.find((t) => t.key === PUSH_TAGS.version(targetKey))?.value, got.version, `${label}: the target's number is recorded here`);
      assert.equal(got.current_stage, v.current_stage, `${label}: stage`);
      assert.equal(got.description, v.description, `${label}: description`);
      const wantTags = (v.tags ?? []).filter((t) => !t.key.startsWith(PUSH_TAGS.localPrefix)).concat([{ key: PUSH_TAGS.sourceVersion, value: v.version }]);
      assert.deepEqual([...(got.tags ?? [])].sort(byKey), wantTags.sort(byKey), `${label}: tags`);
      if (v.run_id) {
        const run = await remoteRunOf(local, target, targetKey, v.run_id);
        assert.equal(got.run_id, run.info.run_id, `${label}: run`);
        assert.match(got.source, new RegExp(`^runs:/${run.info.run_id}/model$`), `${label}: source in the pushed run`);
      } else assert.equal(got.source, v.source, `${label}: source`);
    }
    const aliases = (model: { aliases?: { alias: string; version: string }[] }, versionOf: (v: string) => string): string[] =>
      (model.aliases ?? []).map((a) => `${a.alias}=${versionOf(String(a.version))}`).sort();
    assert.deepEqual(
      aliases(remote, (v) => v),
      aliases(source, (v) => mapped.get(v)?.version ?? 'missing'),
      `${name}: aliases`,
    );
  }
}
