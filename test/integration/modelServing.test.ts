import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AbComparisonOutcome } from '../../src/core/models/abComparison';
import type { BatchScoringOutcome } from '../../src/core/models/batchScoring';
import type { InvocationAnswer } from '../../src/core/models/scoringRequest';
import type { ServingEndpoint } from '../../src/core/models/servingEndpoints';
import type { ModelNode, ModelsNode, VersionNode } from '../../src/extension/trees/modelsTreeProvider';
import type { EndpointNode } from '../../src/extension/trees/servingSection';
import { extensionRoot, runPython, tracksideApi, waitFor } from './helpers';

const MODEL = 'served-demo';
const ROWS = [
  { tenure: 12, plan: 2, calls: 1.5 },
  { tenure: 40, plan: 1, calls: 0 },
];
const spend = (r: { tenure: number; plan: number; calls: number }, scale = 1): number => scale * (5 + 3 * r.tenure + 10 * r.plan - 2 * r.calls);

/** Logs the demo LinearModel (scaled) through the bundled Python client and registers it with an alias. */
async function logModel(scale: number, alias: string): Promise<void> {
  const api = await tracksideApi();
  const env = { ...(await api.connection.trackingEnvironment()), PYTHONPATH: path.join(extensionRoot(), 'dist', 'python') };
  const s = (v: number): number => v * scale;
  await runPython(
    [
      'import trackside',
      'from trackside.models.demo import LinearModel',
      'trackside.set_experiment("serving-it")',
      'with trackside.start_run():',
      `    info = trackside.log_model(LinearModel({"tenure": ${s(3)}, "plan": ${s(10)}, "calls": ${s(-2)}}, ${s(5)}), "model",`,
      `        input_example=${JSON.stringify(ROWS)}, registered_model_name="${MODEL}")`,
      `trackside.TracksideClient().set_registered_model_alias("${MODEL}", "${alias}", info.registered_model_version)`,
    ].join('\n'),
    env,
  );
}

async function versionNode(version: string): Promise<VersionNode> {
  const api = await tracksideApi();
  return waitFor(`${MODEL} v${version} in the Models view`, async () => {
    const model = (await api.models.getChildren()).find((n): n is ModelNode => n.kind === 'model' && n.model.name === MODEL);
    if (!model) return undefined;
    return (await api.models.getChildren(model)).find((n): n is VersionNode => n.kind === 'modelVersion' && n.version.version === version);
  });
}

describe('Model serving, scoring and A/B comparison in VS Code', function () {
  this.timeout(180_000);
  let endpoint: ServingEndpoint | undefined;

  before(async () => {
    await logModel(1.1, 'champion'); // v1: 10% off
    await logModel(1, 'challenger'); // v2: the true formula
  });

  after(async () => {
    if (endpoint?.server.running) await vscode.commands.executeCommand('trackside.stopServing', { kind: 'servingEndpoint', endpoint });
  });

  it('serves a version from the Models view and lists it under "Serving"', async () => {
    const api = await tracksideApi();
    const node = await versionNode('2');
    endpoint = (await vscode.commands.executeCommand('trackside.serveModel', node)) as ServingEndpoint;
    assert.ok(endpoint, 'the command returns the endpoint');
    assert.match(endpoint.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(endpoint.label, `${MODEL} v2`);
    const roots = await api.models.getChildren();
    assert.equal(roots[0].kind, 'servingRoot', 'the Serving section comes first');
    const served = (await api.models.getChildren(roots[0])) as ModelsNode[];
    assert.deepEqual(served.map((n) => (n as EndpointNode).endpoint.id), [`${MODEL}/2`]);
    const item = api.models.getTreeItem(served[0]);
    assert.equal(item.contextValue, 'servingEndpoint');
    assert.equal(item.description, endpoint.url.replace('http://', ''));
    assert.match(String(api.models.getTreeItem(await versionNode('2')).description), /serving/);
    const state = api.connection.currentState;
    assert.ok(state.kind === 'local' && fs.existsSync(path.join(state.folder, '.model-cache', MODEL, '2', 'MLmodel')), 'the version is cached in the store');
  });

  it('sends the model\u2019s input example as a test request', async () => {
    const answer = (await vscode.commands.executeCommand('trackside.sendTestRequest', { kind: 'servingEndpoint', endpoint })) as InvocationAnswer;
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { predictions: ROWS.map((r) => spend(r)) });
  });

  it('scores a file with a version and logs the run', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'trackside-it-score-'));
    const input = path.join(folder, 'customers.csv');
    fs.writeFileSync(input, 'tenure,plan,calls\n' + Array.from({ length: 1000 }, (_, i) => `${i % 60},${(i % 3) + 1},${(i % 5) / 2}`).join('\n') + '\n');
    const output = path.join(folder, 'customers.predictions.csv');
    const outcome = (await vscode.commands.executeCommand('trackside.scoreFile', await versionNode('2'), input, output)) as BatchScoringOutcome;
    assert.equal(outcome.result.outputRows, 1000);
    const lines = fs.readFileSync(output, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'tenure,plan,calls,prediction');
    assert.equal(Number(lines[2].split(',')[3]), spend({ tenure: 1, plan: 2, calls: 0.5 }));
    const client = await (await tracksideApi()).connection.client();
    const run = await client.runs.get(outcome.runId!);
    assert.equal(run.info.status, 'FINISHED');
    assert.equal(run.data.tags?.find((t) => t.key === 'trackside.scoring.output')?.value, output);
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('compares @champion with @challenger on a labelled file and moves the alias to the winner', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'trackside-it-compare-'));
    const input = path.join(folder, 'labelled.csv');
    const rows = Array.from({ length: 300 }, (_, i) => ({ tenure: i % 60, plan: (i % 3) + 1, calls: (i % 5) / 2 }));
    fs.writeFileSync(input, 'tenure,plan,calls,spend\n' + rows.map((r) => `${r.tenure},${r.plan},${r.calls},${spend(r)}`).join('\n') + '\n');
    const outcome = (await vscode.commands.executeCommand('trackside.compareModelVersions', undefined, {
      modelUriA: `models:/${MODEL}@champion`,
      modelUriB: `models:/${MODEL}@challenger`,
      input,
      labelColumn: 'spend',
      moveAlias: true,
    })) as AbComparisonOutcome & { aliasMoved?: string };
    assert.equal(outcome.winner, 'b');
    assert.equal(outcome.aliasMoved, 'champion');
    const client = await (await tracksideApi()).connection.client();
    assert.equal((await client.registeredModels.getVersionByAlias(MODEL, 'champion')).version, '2');
    const run = await client.runs.get(outcome.runId);
    const keys = (run.data.metrics ?? []).map((m) => m.key);
    for (const key of ['champion.rmse', 'challenger.rmse', 'champion.r2', 'challenger.mae']) assert.ok(keys.includes(key), `${key} in ${keys.join(', ')}`);
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('stops serving: the endpoint leaves the tree and the port closes', async () => {
    const api = await tracksideApi();
    const served = endpoint!;
    await vscode.commands.executeCommand('trackside.stopServing', { kind: 'servingEndpoint', endpoint: served });
    assert.equal(served.server.running, false);
    const roots = await api.models.getChildren();
    assert.ok(!roots.some((n) => n.kind === 'servingRoot'), 'no Serving section without endpoints');
    await assert.rejects(fetch(`${served.url}/ping`));
  });
});
