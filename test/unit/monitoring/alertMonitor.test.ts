import assert from 'node:assert/strict';
import { AlertMonitor, alertTagKey, describeTriggeredBy } from '../../../src/core/monitoring/alertMonitor';
import type { AlertRule, MetricAlertRule, ScheduledRunRule } from '../../../src/core/monitoring/alertRules';
import { TriggerBook } from '../../../src/core/monitoring/triggerBook';
import { ServerFixture } from '../client/clientFixture';
import { logRun, runRecords } from './monitoringFixtures';

function rule(id: string, metric: string, comparison: MetricAlertRule['comparison'], threshold: number, extra: Partial<MetricAlertRule> = {}): MetricAlertRule {
  return { id, metric, comparison, threshold, scope: { kind: 'all' }, ...extra };
}

describe('AlertMonitor (rules against a real server)', function () {
  this.timeout(30_000);
  let fixture: ServerFixture;
  let clock: number;
  const monitor = (rules: AlertRule[], book = new TriggerBook()): AlertMonitor => {
    const watcher = new AlertMonitor({ client: fixture.client, book, now: () => clock });
    watcher.setRules(rules);
    return watcher;
  };

  beforeEach(async () => {
    fixture = await ServerFixture.start();
    clock = Date.UTC(2026, 10, 27, 9, 0, 0);
  });
  afterEach(async () => fixture.stop());

  it('fires once when a logged metric crosses a rule, tags the run, and fires again only after the value went back', async () => {
    const client = fixture.client;
    const watcher = monitor([rule('loss-high', 'val_loss', '>', 0.9)]);
    const { runId } = await logRun(client, 'training', { val_loss: 0.91 });
    const [event, ...more] = await watcher.metricsLogged({ [runId]: ['val_loss'] });
    assert.equal(more.length, 0);
    assert.equal(event.message, "Alert 'loss-high': val_loss 0.91 > 0.9 in run run-val_loss");
    assert.equal(event.run?.runId, runId);
    assert.equal(event.startRun, false, 'no trigger on this rule');
    assert.equal(event.tagKey, 'trackside.alert.loss-high');
    const { tags } = runRecords(await client.runs.get(runId));
    assert.equal(tags['trackside.alert.loss-high'], 'fired at 2026-11-27T09:00:00.000Z: val_loss 0.91 > 0.9');

    // The same crossing does not fire twice (a later point still above the threshold included).
    assert.deepEqual(await watcher.metricsLogged({ [runId]: ['val_loss'] }), []);
    await client.runs.logMetric(runId, 'val_loss', 0.95, { step: 1 });
    assert.deepEqual(await watcher.metricsLogged({ [runId]: ['val_loss'] }), []);
    await client.runs.logMetric(runId, 'val_loss', 0.5, { step: 2 });
    assert.deepEqual(await watcher.metricsLogged({ [runId]: ['val_loss'] }), []);
    await client.runs.logMetric(runId, 'val_loss', 0.97, { step: 3 });
    const again = await watcher.metricsLogged({ [runId]: ['val_loss'] });
    assert.equal(again.length, 1);
    assert.equal(again[0].message, "Alert 'loss-high': val_loss 0.97 > 0.9 in run run-val_loss");
  });

  it('ignores other metrics, values that do not cross, and runs outside the scope', async () => {
    const client = fixture.client;
    const watched = await logRun(client, 'watched', { acc: 0.7, loss: 3 });
    const other = await logRun(client, 'other', { acc: 0.6 });
    const watcher = monitor([rule('acc-low', 'acc', '<', 0.8, { scope: { kind: 'experiment', experimentId: watched.experimentId } }), rule('acc-very-low', 'acc', '<', 0.1)]);
    assert.deepEqual(await watcher.metricsLogged({ [watched.runId]: ['loss'] }), [], 'loss is watched by no rule');
    assert.deepEqual(await watcher.metricsLogged({ [other.runId]: ['acc'] }), [], 'other experiment, and 0.6 is not < 0.1');
    const events = await watcher.metricsLogged({ [watched.runId]: ['acc', 'loss'] });
    assert.deepEqual(events.map((event) => event.rule.id), ['acc-low']);
    assert.equal(runRecords(await client.runs.get(other.runId)).tags['trackside.alert.acc-low'], undefined);
  });

  it('scopes a rule to a registered model: the runs that produced its versions and its performance checks', async () => {
    const client = fixture.client;
    const source = await logRun(client, 'training', { auc: 0.6 });
    const check = await logRun(client, 'Monitoring', { auc: 0.55 }, { 'trackside.model_name': 'churn', 'trackside.model_version': '1' });
    const unrelated = await logRun(client, 'training', { auc: 0.5 });
    await client.registeredModels.create('churn');
    await client.modelVersions.create('churn', 'file:///m', { runId: source.runId });
    const watcher = monitor([rule('churn-auc', 'auc', '<', 0.7, { scope: { kind: 'model', name: 'churn' } })]);
    const events = await watcher.metricsLogged({ [source.runId]: ['auc'], [check.runId]: ['auc'], [unrelated.runId]: ['auc'] });
    assert.deepEqual(events.map((event) => event.run?.runId).sort(), [source.runId, check.runId].sort());
    assert.equal(events[0].firing.observation?.modelName, 'churn');
  });

  it('asks to start a rule’s pipeline once per firing, and not while its earlier run is active', async () => {
    const client = fixture.client;
    const book = new TriggerBook();
    const retrain = rule('drift-high', 'drift.score', '>', 0.3, { trigger: { pipeline: 'pipelines/train.py', parameters: { data_window: '30' } } });
    const watcher = monitor([retrain], book);
    const first = await logRun(client, 'Monitoring', { 'drift.score': 0.6 });
    const [started] = await watcher.metricsLogged({ [first.runId]: ['drift.score'] });
    assert.equal(started.startRun, true);
    assert.deepEqual(started.firing.trigger, { pipeline: 'pipelines/train.py', parameters: { data_window: '30' }, status: 'pending', attempts: 1 });
    const second = await logRun(client, 'Monitoring', { 'drift.score': 0.7 });
    const [skipped] = await watcher.metricsLogged({ [second.runId]: ['drift.score'] });
    assert.equal(skipped.startRun, false);
    assert.match(skipped.notStarted ?? '', /still pending or running/);
    assert.equal(book.firings().length, 2);

    // A run the rule started itself fires it but never starts it again.
    book.markFinished(started.firing.id, 'succeeded', clock);
    const own = await logRun(client, 'Pipelines', { 'drift.score': 0.9 }, { 'trackside.triggered_by': `drift-high: drift.score = 0.6 (> 0.3) in run ${first.runId}` });
    const [self] = await watcher.metricsLogged({ [own.runId]: ['drift.score'] });
    assert.equal(self.startRun, false);
    assert.match(self.notStarted ?? '', /was itself started by this rule/);
  });

  it('checks scheduled rules on the latest values when they are due, not before', async () => {
    const client = fixture.client;
    const { runId, experimentId } = await logRun(client, 'nightly', { rows: 10 });
    const deleted = await logRun(client, 'nightly', { rows: 5 });
    await client.runs.delete(deleted.runId);
    const watcher = monitor([rule('few-rows', 'rows', '<', 100, { scope: { kind: 'experiment', experimentId }, schedule: { everyMinutes: 5 } }), rule('unscheduled', 'rows', '<', 100)]);
    const events = await watcher.checkScheduled();
    assert.deepEqual(events.map((event) => [event.rule.id, event.run?.runId]), [['few-rows', runId]]);
    const fresh = await logRun(client, 'nightly', { rows: 1 });
    clock += 4 * 60_000;
    assert.deepEqual(await watcher.checkScheduled(), [], 'not due yet');
    clock += 60_000;
    const later = await watcher.checkScheduled();
    assert.deepEqual(later.map((event) => event.run?.runId), [fresh.runId], 'the first run already fired; the new one fires');
  });

  describe('scheduled runs', () => {
    const nightly: ScheduledRunRule = { id: 'nightly-retrain', schedule: { everyMinutes: 1440 }, trigger: { pipeline: 'pipelines/train.py', parameters: { data_window: '30' } } };
    const day = 1440 * 60_000;

    it('fires no run when the rule is loaded, then exactly one per interval', async () => {
      const book = new TriggerBook();
      const start = clock;
      const watcher = monitor([nightly, rule('loss-high', 'val_loss', '>', 0.9)], book);
      assert.deepEqual(await watcher.checkScheduled(), [], 'not at startup');
      clock += day - 1;
      assert.deepEqual(await watcher.checkScheduled(), [], 'not before the interval has passed');
      clock += 1;
      const [event, ...more] = await watcher.checkScheduled();
      assert.equal(more.length, 0);
      assert.equal(event.kind, 'schedule');
      assert.equal(event.run, undefined);
      assert.equal(event.startRun, true);
      assert.equal(event.message, "Scheduled run 'nightly-retrain' (every 1440 minutes): pipelines/train.py");
      assert.deepEqual(event.firing, {
        id: 'nightly-retrain#1',
        ruleId: 'nightly-retrain',
        schedule: { everyMinutes: 1440 },
        firedAt: start + day,
        trigger: { pipeline: 'pipelines/train.py', parameters: { data_window: '30' }, status: 'pending', attempts: 1 },
      });
      assert.equal(describeTriggeredBy(nightly, event.firing), 'nightly-retrain: schedule every 1440 minutes, firing nightly-retrain#1');
      assert.deepEqual(await watcher.checkScheduled(), [], 'once per interval: checking again at once fires nothing');
      book.markStarted(event.firing.id, 'pipeline-run', clock + 10);
      book.markFinished(event.firing.id, 'succeeded', clock + 20);
      clock += day / 2;
      assert.deepEqual(await watcher.checkScheduled(), []);
      clock += day / 2;
      const next = await watcher.checkScheduled();
      assert.deepEqual(
        next.map((entry) => [entry.firing.id, entry.startRun]),
        [['nightly-retrain#2', true]],
      );
      assert.equal(book.firings('nightly-retrain').length, 2);
    });

    it('does not retry a failed scheduled run in a loop: the next try is the next interval', async () => {
      const book = new TriggerBook();
      const watcher = monitor([nightly], book);
      clock += day;
      const [first] = await watcher.checkScheduled();
      book.markFinished(first.firing.id, 'failed', clock + 500, 'Cannot read the pipeline pipelines/train.py');
      for (let tick = 0; tick < 20; tick++) {
        clock += 30_000;
        assert.deepEqual(await watcher.checkScheduled(), [], `tick ${tick}`);
      }
      clock = first.firing.firedAt + day;
      const retried = await watcher.checkScheduled();
      assert.deepEqual(
        retried.map((entry) => [entry.firing.id, entry.startRun]),
        [['nightly-retrain#2', true]],
      );
      assert.deepEqual(
        book.firings().map((firing) => [firing.id, firing.trigger?.status, firing.trigger?.attempts]),
        [
          ['nightly-retrain#1', 'failed', 1],
          ['nightly-retrain#2', 'pending', 1],
        ],
      );
    });

    it('records an interval whose previous run is still going as skipped, with the reason', async () => {
      const book = new TriggerBook();
      const watcher = monitor([nightly], book);
      clock += day;
      const [first] = await watcher.checkScheduled();
      book.markStarted(first.firing.id, 'long-run', clock);
      clock += day;
      const [second] = await watcher.checkScheduled();
      assert.equal(second.startRun, false);
      assert.match(second.notStarted ?? '', /firing nightly-retrain#1\) is still pending or running/);
    });

    it('never fires a scheduled run from a logged metric', async () => {
      const { runId } = await logRun(fixture.client, 'training', { val_loss: 2 });
      const watcher = monitor([nightly]);
      assert.deepEqual(await watcher.metricsLogged({ [runId]: ['val_loss'] }), []);
    });
  });

  it('makes a valid tag key of any rule id', () => {
    assert.equal(alertTagKey('val loss > 0.9 / nightly'), 'trackside.alert.val loss _ 0.9 _ nightly');
  });
});
