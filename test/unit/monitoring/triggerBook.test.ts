import * as assert from 'node:assert/strict';
import { AlertRule, MetricObservation, ScheduledRunRule } from '../../../src/core/monitoring/alertRules';
import { TriggerBook } from '../../../src/core/monitoring/triggerBook';

const retrain: AlertRule = {
  id: 'accuracy-drop',
  metric: 'val_accuracy',
  comparison: '<',
  threshold: 0.8,
  scope: { kind: 'all' },
  trigger: { pipeline: 'retrain.py', parameters: { epochs: '20' } },
};

const notifyOnly: AlertRule = { id: 'loss-high', metric: 'loss', comparison: '>', threshold: 1, scope: { kind: 'all' } };

function accuracy(runId: string, value: number): MetricObservation {
  return { experimentId: '1', runId, key: 'val_accuracy', value };
}

describe('TriggerBook', () => {
  it('fires once per crossing of a run metric, and again after it recovers and crosses anew', () => {
    const book = new TriggerBook();
    const first = book.observe(notifyOnly, { experimentId: '1', runId: 'r1', key: 'loss', value: 2 }, 1000);
    assert.equal(first.fired, true);
    assert.deepEqual(book.observe(notifyOnly, { experimentId: '1', runId: 'r1', key: 'loss', value: 3 }, 2000), { fired: false, reason: 'already-fired' });
    assert.deepEqual(book.observe(notifyOnly, { experimentId: '1', runId: 'r1', key: 'loss', value: 0.5 }, 3000), { fired: false, reason: 'condition-false' });
    const again = book.observe(notifyOnly, { experimentId: '1', runId: 'r1', key: 'loss', value: 1.5 }, 4000);
    assert.equal(again.fired, true, 'a new crossing');
    assert.deepEqual(
      book.firings().map((firing) => [firing.id, firing.firedAt, firing.observation?.value]),
      [
        ['loss-high#1', 1000, 2],
        ['loss-high#2', 4000, 1.5],
      ],
    );
  });

  it('keeps crossings of different runs apart, and ignores metrics the rule does not watch', () => {
    const book = new TriggerBook();
    assert.equal(book.observe(notifyOnly, { experimentId: '1', runId: 'r1', key: 'loss', value: 2 }, 1).fired, true);
    assert.equal(book.observe(notifyOnly, { experimentId: '1', runId: 'r2', key: 'loss', value: 2 }, 2).fired, true);
    assert.deepEqual(book.observe(notifyOnly, { experimentId: '1', runId: 'r1', key: 'accuracy', value: 2 }, 3), { fired: false, reason: 'not-watched' });
  });

  it('asks for one triggered run per rule at a time and records the rest as skipped', () => {
    const book = new TriggerBook();
    const first = book.observe(retrain, accuracy('r1', 0.7), 100);
    assert.ok(first.fired);
    assert.equal(first.startRun, true);
    assert.deepEqual(first.firing.trigger, { pipeline: 'retrain.py', parameters: { epochs: '20' }, status: 'pending', attempts: 1 });
    book.markStarted(first.firing.id, 'pipeline-run-1', 150);

    const second = book.observe(retrain, accuracy('r2', 0.6), 200);
    assert.ok(second.fired);
    assert.equal(second.startRun, false);
    assert.equal(second.firing.trigger?.status, 'skipped');
    assert.match(second.firing.trigger?.detail ?? '', /firing accuracy-drop#1\) is still pending or running/);
    assert.equal(book.activeFiring('accuracy-drop')?.id, first.firing.id);

    book.markFinished(first.firing.id, 'succeeded', 300);
    assert.equal(book.activeFiring('accuracy-drop'), undefined);
    const third = book.observe(retrain, accuracy('r3', 0.5), 400);
    assert.ok(third.fired);
    assert.equal(third.startRun, true, 'free again once the first run ended');
    const record = book.find(first.firing.id)?.trigger;
    assert.deepEqual(record, { pipeline: 'retrain.py', parameters: { epochs: '20' }, status: 'succeeded', attempts: 1, pipelineRunId: 'pipeline-run-1', startedAt: 150, finishedAt: 300 });
  });

  it('never retries a failed run by itself; a manual retry makes it pending again', () => {
    const book = new TriggerBook();
    const fired = book.observe(retrain, accuracy('r1', 0.7), 100);
    assert.ok(fired.fired);
    book.markStarted(fired.firing.id, 'p1', 110);
    book.markFinished(fired.firing.id, 'failed', 120, 'kernel died');
    assert.deepEqual(book.observe(retrain, accuracy('r1', 0.65), 130), { fired: false, reason: 'already-fired' }, 'the same crossing does not retry');
    const trigger = book.find(fired.firing.id)?.trigger;
    assert.equal(trigger?.status, 'failed');
    assert.equal(trigger?.detail, 'kernel died');

    book.retry(fired.firing.id);
    assert.equal(trigger?.status, 'pending');
    assert.equal(trigger?.attempts, 2);
    assert.equal(trigger?.detail, undefined);
    assert.throws(() => book.retry(fired.firing.id), /is pending; expected failed/);
  });

  it('refuses a manual retry while another run of the rule is active', () => {
    const book = new TriggerBook();
    const failed = book.observe(retrain, accuracy('r1', 0.7), 1);
    assert.ok(failed.fired);
    book.markFinished(failed.firing.id, 'failed', 2, 'could not start');
    const active = book.observe(retrain, accuracy('r2', 0.7), 3);
    assert.ok(active.fired && active.startRun);
    assert.throws(() => book.retry(failed.firing.id), /already has a run pending or running \(firing accuracy-drop#2\)/);
  });

  it('explains misuse: unknown firings, firings without a pipeline, wrong states', () => {
    const book = new TriggerBook();
    assert.throws(() => book.markStarted('nope#1', 'p', 1), /No firing "nope#1"/);
    const fired = book.observe(notifyOnly, { experimentId: '1', key: 'loss', value: 5 }, 1);
    assert.ok(fired.fired);
    assert.throws(() => book.markStarted(fired.firing.id, 'p', 1), /triggers no pipeline/);
  });

  it('says which scheduled rules are due', () => {
    const book = new TriggerBook();
    const scheduled: AlertRule = { ...notifyOnly, id: 'hourly', schedule: { everyMinutes: 60 } };
    const rules = [notifyOnly, scheduled];
    assert.deepEqual(
      book.dueRules(rules, 0).map((rule) => rule.id),
      ['hourly'],
      'never checked: due',
    );
    book.markChecked('hourly', 0);
    assert.deepEqual(book.dueRules(rules, 59 * 60_000), []);
    assert.deepEqual(
      book.dueRules(rules, 60 * 60_000).map((rule) => rule.id),
      ['hourly'],
    );
  });

  describe('scheduled runs', () => {
    const minute = 60_000;
    const nightly: ScheduledRunRule = { id: 'nightly', schedule: { everyMinutes: 1440 }, trigger: { pipeline: 'pipelines/train.py', parameters: { data_window: '30' } } };
    const quick: ScheduledRunRule = { id: 'quick', schedule: { everyMinutes: 0.5 }, trigger: { pipeline: 'tick.py', parameters: {} } };

    it('starts the clock when the rule is first seen: the first run is one interval later, not at once', () => {
      const book = new TriggerBook();
      const start = 1_000_000;
      assert.equal(book.noteRules([notifyOnly, nightly], start), true);
      assert.equal(book.noteRules([nightly], start + 5), false, 'seen already: the clock is not restarted');
      assert.equal(book.dueAt(nightly, start + 10), start + 1440 * minute);
      assert.deepEqual(book.dueRules([nightly], start), []);
      assert.deepEqual(book.dueRules([nightly], start + 1440 * minute - 1), []);
      assert.deepEqual(
        book.dueRules([nightly], start + 1440 * minute).map((rule) => rule.id),
        ['nightly'],
      );
      assert.equal(book.dueAt(notifyOnly, start), undefined, 'not scheduled');
    });

    it('dueRules starts the clock of a rule it has not seen, so it is not due at once either', () => {
      const book = new TriggerBook();
      assert.deepEqual(book.dueRules([quick], 0), []);
      assert.deepEqual(book.dueRules([quick], 29_999), []);
      assert.deepEqual(
        book.dueRules([quick], 30_000).map((rule) => rule.id),
        ['quick'],
      );
    });

    it('says when the next scheduled rule is due', () => {
      const book = new TriggerBook();
      const checked: AlertRule = { ...notifyOnly, id: 'hourly', schedule: { everyMinutes: 60 } };
      assert.equal(book.nextDueAt([notifyOnly], 0), undefined, 'nothing scheduled');
      assert.equal(book.nextDueAt([checked, nightly], 100), 100, 'a metric rule never checked is due now');
      book.markChecked('hourly', 100);
      book.noteRules([nightly, quick], 100);
      assert.equal(book.nextDueAt([checked, nightly, quick], 200), 100 + 30_000);
      assert.equal(book.nextDueAt([checked, nightly], 200), 100 + 60 * minute);
      assert.equal(book.nextDueAt([checked], 100 + 61 * minute), 100 + 61 * minute, 'overdue: now');
    });

    it('records one firing per interval that asks to start the pipeline, and skips while its run is active', () => {
      const book = new TriggerBook();
      book.noteRules([quick], 0);
      const first = book.scheduleRun(quick, 30_000);
      book.markChecked('quick', 30_000);
      assert.equal(first.startRun, true);
      assert.deepEqual(first.firing, {
        id: 'quick#1',
        ruleId: 'quick',
        schedule: { everyMinutes: 0.5 },
        firedAt: 30_000,
        trigger: { pipeline: 'tick.py', parameters: {}, status: 'pending', attempts: 1 },
      });
      assert.deepEqual(book.dueRules([quick], 59_999), [], 'the next interval starts at the run');
      book.markStarted(first.firing.id, 'run-1', 30_100);
      const second = book.scheduleRun(quick, 60_000);
      assert.equal(second.startRun, false);
      assert.equal(second.firing.trigger?.status, 'skipped');
      assert.match(second.firing.trigger?.detail ?? '', /firing quick#1\) is still pending or running/);
    });

    it('does not run a failed scheduled run again before its next interval', () => {
      const book = new TriggerBook();
      book.noteRules([nightly], 0);
      const due = 1440 * minute;
      const [rule] = book.dueRules([nightly], due);
      const fired = book.scheduleRun(rule as ScheduledRunRule, due);
      book.markChecked('nightly', due);
      book.markFinished(fired.firing.id, 'failed', due + 1000, 'pipelines/train.py ended FAILED');
      assert.equal(book.find(fired.firing.id)?.trigger?.attempts, 1);
      for (const later of [due + 1001, due + 60 * minute, 2 * due - 1]) {
        assert.deepEqual(book.dueRules([nightly], later), [], `not due at +${later - due} ms`);
      }
      assert.equal(book.nextDueAt([nightly], due + 1001), 2 * due);
      assert.deepEqual(
        book.dueRules([nightly], 2 * due).map((entry) => entry.id),
        ['nightly'],
      );
      assert.equal(book.scheduleRun(nightly, 2 * due).startRun, true, 'free again: the failed run is not active');
    });

    it('keeps the clock across a JSON round trip (a restored record that is overdue is due at once)', () => {
      const book = new TriggerBook();
      book.noteRules([nightly], 0);
      const restored = new TriggerBook(JSON.parse(JSON.stringify(book.toJSON())));
      assert.equal(restored.noteRules([nightly], 5 * minute), false);
      assert.deepEqual(restored.dueRules([nightly], 1439 * minute), []);
      assert.deepEqual(
        restored.dueRules([nightly], 3000 * minute).map((rule) => rule.id),
        ['nightly'],
        'VS Code was closed past the due time: one run now',
      );
    });
  });

  it('survives a JSON round trip with its de-duplication intact', () => {
    const book = new TriggerBook();
    const fired = book.observe(retrain, accuracy('r1', 0.7), 1);
    assert.ok(fired.fired);
    book.markChecked('accuracy-drop', 5);
    const restored = new TriggerBook(JSON.parse(JSON.stringify(book.toJSON())));
    assert.deepEqual(restored.observe(retrain, accuracy('r1', 0.6), 2), { fired: false, reason: 'already-fired' });
    assert.equal(restored.activeFiring('accuracy-drop')?.id, 'accuracy-drop#1');
    const next = restored.observe(retrain, accuracy('r2', 0.6), 3);
    assert.ok(next.fired);
    assert.equal(next.firing.id, 'accuracy-drop#2', 'the sequence continues');
    assert.equal(next.startRun, false, 'the restored active run still blocks');
  });

  it('keeps a bounded history but never drops a firing whose run is active', () => {
    const book = new TriggerBook(undefined, 3);
    const first = book.observe(retrain, accuracy('r0', 0.1), 0);
    assert.ok(first.fired && first.startRun);
    for (let index = 1; index <= 5; index++) {
      book.observe(notifyOnly, { experimentId: '1', runId: `r${index}`, key: 'loss', value: 9 }, index);
    }
    assert.deepEqual(
      book.firings().map((firing) => firing.id),
      ['accuracy-drop#1', 'loss-high#5', 'loss-high#6'],
    );
  });

  it('forgets the crossings of a deleted run', () => {
    const book = new TriggerBook();
    book.observe(notifyOnly, { experimentId: '1', runId: 'gone', key: 'loss', value: 2 }, 1);
    book.forgetRun('gone');
    assert.equal(book.toJSON().crossings.length, 0);
  });
});
