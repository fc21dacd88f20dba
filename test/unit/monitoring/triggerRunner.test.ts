import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { AlertMonitor, triggeredByTag } from '../../../src/core/monitoring/alertMonitor';
import type { AlertRule, ScheduledRunRule } from '../../../src/core/monitoring/alertRules';
import { TriggerBook } from '../../../src/core/monitoring/triggerBook';
import { pipelineParameters, runTrigger, type TriggerLaunch } from '../../../src/core/monitoring/triggerRunner';
import { ServerFixture } from '../client/clientFixture';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { bundledPythonPath } from '../pipelines/pipelineFixtures';
import { logRun, runRecords } from './monitoringFixtures';

const pipeline = `# %% tags=["parameters"]
data_window: int = 7
fail: bool = False

# %%
import trackside
trackside.log_metric("window_seen", data_window)
trackside.log_metric("window_is_int", 1 if isinstance(data_window, int) else 0)
trackside.flush()
if fail:
    raise RuntimeError("the training data is empty")
`;

const retrain: AlertRule = {
  id: 'drift-high',
  metric: 'drift.score',
  comparison: '>',
  threshold: 0.3,
  scope: { kind: 'all' },
  trigger: { pipeline: 'pipelines/train.py', parameters: { data_window: '30' } },
};

describe('runTrigger (a real pipeline in python3, logged to a real server)', function () {
  this.timeout(60_000);
  let fixture: ServerFixture;
  let workspace: string;
  let launch: TriggerLaunch;
  let pipelineRuns: number;

  before(async () => {
    fixture = await ServerFixture.start();
    workspace = tempFolder('trackside-trigger-');
    fs.mkdirSync(path.join(workspace, 'pipelines'));
    fs.writeFileSync(path.join(workspace, 'pipelines', 'train.py'), pipeline);
  });
  beforeEach(() => {
    pipelineRuns = 0;
    launch = {
      client: fixture.client,
      workspaceFolder: workspace,
      interpreter: 'python3',
      bundledPythonPath: bundledPythonPath(),
      env: { MLFLOW_TRACKING_URI: fixture.server.url, MLFLOW_TRACKING_TOKEN: fixture.token },
      onEvent: (event) => {
        if (event.type === 'runCreated') pipelineRuns++;
      },
    };
  });
  after(async () => {
    await fixture.stop();
    removeFolder(workspace);
  });

  async function fire(rule: AlertRule, book: TriggerBook, value = 0.6): Promise<{ monitor: AlertMonitor; runId: string; events: Awaited<ReturnType<AlertMonitor['metricsLogged']>> }> {
    const monitor = new AlertMonitor({ client: fixture.client, book });
    monitor.setRules([rule]);
    const { runId } = await logRun(fixture.client, 'Monitoring', { 'drift.score': value });
    return { monitor, runId, events: await monitor.metricsLogged({ [runId]: ['drift.score'] }) };
  }

  it('runs the pipeline once with the rule’s parameters, and the run records what triggered it', async () => {
    const book = new TriggerBook();
    const { monitor, runId, events } = await fire(retrain, book);
    assert.equal(events.length, 1);
    const outcome = await runTrigger(book, retrain, events[0].firing, launch);
    assert.equal(outcome.status, 'succeeded', outcome.error);
    assert.equal(pipelineRuns, 1);
    const run = await fixture.client.runs.get(outcome.pipelineRunId!);
    const { tags, params, metrics } = runRecords(run);
    assert.equal(run.info.status, 'FINISHED');
    assert.equal(tags[triggeredByTag], `drift-high: drift.score = 0.6 (> 0.3) in run ${runId}, firing drift-high#1`);
    assert.equal(tags['mlflow.runName'], 'train.py (alert drift-high)');
    assert.equal(params.data_window, '30');
    assert.equal(metrics.window_seen, 30);
    assert.equal(metrics.window_is_int, 1, 'the text "30" became the int the parameters cell declares');
    const trigger = book.find(events[0].firing.id)!.trigger!;
    assert.equal(trigger.status, 'succeeded');
    assert.equal(trigger.pipelineRunId, outcome.pipelineRunId);

    // More points of the same crossing start nothing.
    await fixture.client.runs.logMetric(runId, 'drift.score', 0.8, { step: 1 });
    assert.deepEqual(await monitor.metricsLogged({ [runId]: ['drift.score'] }), []);
    const triggered = await fixture.client.runs.searchAll({ experimentIds: [run.info.experiment_id], filter: `tags.\`${triggeredByTag}\` LIKE 'drift-high:%'` });
    assert.equal(triggered.length, 1);
  });

  it('records a failed pipeline once and never runs it again by itself', async () => {
    const book = new TriggerBook();
    const failing: AlertRule = { ...retrain, id: 'fails', trigger: { pipeline: 'pipelines/train.py', parameters: { fail: 'true' } } };
    const { monitor, runId, events } = await fire(failing, book);
    const outcome = await runTrigger(book, failing, events[0].firing, launch);
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.error ?? '', /ended FAILED: RuntimeError: the training data is empty/);
    assert.equal((await fixture.client.runs.get(outcome.pipelineRunId!)).info.status, 'FAILED');
    const trigger = book.find(events[0].firing.id)!.trigger!;
    assert.equal(trigger.status, 'failed');
    assert.equal(trigger.attempts, 1);
    await fixture.client.runs.logMetric(runId, 'drift.score', 0.9, { step: 1 });
    assert.deepEqual(await monitor.metricsLogged({ [runId]: ['drift.score'] }), [], 'no new firing for the same crossing');
    assert.equal(pipelineRuns, 1);
    // The rule is free again: a new crossing in another run starts a new run.
    const next = await fire(failing, book);
    assert.equal(next.events[0].startRun, true);
  });

  it('fails without a run when the script is missing or a parameter does not fit its type', async () => {
    const book = new TriggerBook();
    const missing: AlertRule = { ...retrain, id: 'missing', trigger: { pipeline: 'pipelines/nope.py', parameters: {} } };
    const first = await fire(missing, book);
    const gone = await runTrigger(book, missing, first.events[0].firing, launch);
    assert.equal(gone.status, 'failed');
    assert.match(gone.error ?? '', /Cannot read the pipeline pipelines\/nope\.py/);
    const typo: AlertRule = { ...retrain, id: 'typo', trigger: { pipeline: 'pipelines/train.py', parameters: { data_window: 'thirty' } } };
    const second = await fire(typo, book);
    const refused = await runTrigger(book, typo, second.events[0].firing, launch);
    assert.match(refused.error ?? '', /Parameter 'data_window' expects an int/);
    assert.equal(book.find(second.events[0].firing.id)!.trigger!.status, 'failed');
    assert.equal(pipelineRuns, 0);
    await assert.rejects(runTrigger(book, typo, second.events[0].firing, launch), /no pending pipeline run/, 'a finished firing cannot be started again');
  });

  it('runs a scheduled rule’s pipeline with its parameters; the run records the schedule that triggered it', async () => {
    const book = new TriggerBook();
    const nightly: ScheduledRunRule = { id: 'nightly', schedule: { everyMinutes: 1440 }, trigger: { pipeline: 'pipelines/train.py', parameters: { data_window: '14' } } };
    let clock = 0;
    const monitor = new AlertMonitor({ client: fixture.client, book, now: () => clock });
    monitor.setRules([nightly]);
    assert.deepEqual(await monitor.checkScheduled(), []);
    clock += 1440 * 60_000;
    const [event] = await monitor.checkScheduled();
    assert.ok(event.startRun);
    const outcome = await runTrigger(book, nightly, event.firing, launch);
    assert.equal(outcome.status, 'succeeded', outcome.error);
    assert.equal(outcome.triggeredBy, 'nightly: schedule every 1440 minutes, firing nightly#1');
    const { tags, params, metrics } = runRecords(await fixture.client.runs.get(outcome.pipelineRunId!));
    assert.equal(tags[triggeredByTag], 'nightly: schedule every 1440 minutes, firing nightly#1');
    assert.equal(tags['mlflow.runName'], 'train.py (schedule nightly)');
    assert.equal(params.data_window, '14');
    assert.equal(metrics.window_seen, 14);
    assert.equal(book.find(event.firing.id)?.trigger?.status, 'succeeded');
    assert.equal(pipelineRuns, 1);
  });

  it('records a failing scheduled run once; the rule runs again only at its next interval', async () => {
    const book = new TriggerBook();
    const failing: ScheduledRunRule = { id: 'nightly-fails', schedule: { everyMinutes: 10 }, trigger: { pipeline: 'pipelines/train.py', parameters: { fail: 'true' } } };
    let clock = 0;
    const monitor = new AlertMonitor({ client: fixture.client, book, now: () => clock });
    monitor.setRules([failing]);
    clock += 10 * 60_000;
    const [event] = await monitor.checkScheduled();
    const outcome = await runTrigger(book, failing, event.firing, launch);
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.error ?? '', /RuntimeError: the training data is empty/);
    clock += 60_000;
    assert.deepEqual(await monitor.checkScheduled(), [], 'no retry a minute later');
    assert.equal(pipelineRuns, 1);
    clock += 9 * 60_000;
    const [next] = await monitor.checkScheduled();
    assert.equal(next.firing.id, 'nightly-fails#2');
    assert.equal(next.startRun, true);
  });

  it('turns parameter texts into the parameters cell’s types', () => {
    assert.deepEqual(pipelineParameters(pipeline, { data_window: '30', fail: 'False', extra: '[1, 2]', name: 'abc' }), {
      values: { data_window: 30, fail: false, extra: [1, 2], name: 'abc' },
    });
  });
});
