import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TrackingClient } from '../../src/core/client/trackingClient';
import type { OpenedMonitor } from '../../src/extension/monitoring/performanceCommands';
import { seriesOf } from '../../src/shared/monitor/monitorSeries';
import type { Run } from '../../src/shared/entities';
import { expectedSpend, logDemoModel } from '../unit/models/modelsFixture';
import { extensionRoot, runPython, tracksideApi, waitFor } from './helpers';

interface DriftAnswer {
  run_id: string;
  experiment_id: string;
  summary: string;
  drifted_columns: string[];
}

function tagsOf(run: Run): Record<string, string> {
  return Object.fromEntries((run.data.tags ?? []).map((tag) => [tag.key, tag.value]));
}

/** Logs a metric (latest value) to a new or an existing run over MLflow's REST API from python3, as a training script would. */
function pythonMetricLogger(experimentName: string, runName: string, key: string, value: number, existingRunId?: string): string {
  return `
import json, os, time, urllib.request
uri = os.environ['MLFLOW_TRACKING_URI']; token = os.environ.get('MLFLOW_TRACKING_TOKEN')
headers = {'Content-Type': 'application/json', **({'Authorization': 'Bearer ' + token} if token else {})}
def call(path, body):
    req = urllib.request.Request(uri + '/api/2.0/mlflow/' + path, data=json.dumps(body).encode(), method='POST', headers=headers)
    with urllib.request.urlopen(req) as r: return json.loads(r.read() or b'{}')
run = ${JSON.stringify(existingRunId ?? '')}
if not run:
    try:
        exp = call('experiments/create', {'name': ${JSON.stringify(experimentName)}})['experiment_id']
    except Exception:
        req = urllib.request.Request(uri + '/api/2.0/mlflow/experiments/get-by-name?experiment_name=' + ${JSON.stringify(encodeURIComponent(experimentName))}, headers=headers)
        exp = json.loads(urllib.request.urlopen(req).read())['experiment']['experiment_id']
    run = call('runs/create', {'experiment_id': exp, 'run_name': ${JSON.stringify(runName)}})['run']['info']['run_id']
call('runs/log-metric', {'run_id': run, 'key': ${JSON.stringify(key)}, 'value': ${value}, 'timestamp': int(time.time() * 1000), 'step': int(time.time())})
print(run)
`;
}

async function triggeredRuns(client: TrackingClient, ruleId: string): Promise<Run[]> {
  const experiment = await client.experiments.getByName('Pipelines');
  if (!experiment) return [];
  return client.runs.searchAll({ experimentIds: [experiment.experiment_id], filter: `tags.\`trackside.triggered_by\` LIKE '${ruleId}:%'` });
}

describe('Monitoring: drift checks, alerts and retraining triggers', function () {
  this.timeout(180_000);
  const folder = (): string => vscode.workspace.workspaceFolders![0].uri.fsPath;
  const alertsFile = (): string => path.join(folder(), '.trackside', 'alerts.json');
  const demo = (): string => path.join(extensionRoot(), 'test', 'fixtures', 'demo-workspace');
  const notifications: string[] = [];
  const window = vscode.window as { showWarningMessage: (...args: unknown[]) => Thenable<unknown> };
  const originalWarning = window.showWarningMessage;
  let observing = false;
  let drift: DriftAnswer;

  before(async () => {
    // The demo workspace's data and retraining pipeline, as `npm start` lays them out.
    fs.cpSync(path.join(demo(), 'data'), path.join(folder(), 'data'), { recursive: true });
    fs.cpSync(path.join(demo(), 'pipelines'), path.join(folder(), 'pipelines'), { recursive: true });
    try {
      window.showWarningMessage = (...args: unknown[]) => {
        notifications.push(String(args[0]));
        return originalWarning.apply(vscode.window, args);
      };
      observing = vscode.window.showWarningMessage === window.showWarningMessage;
    } catch {
      observing = false;
    }
    console.log(`[monitoring] notifications observed: ${observing}`);
    const api = await tracksideApi();
    await api.connection.client();
    fs.mkdirSync(path.dirname(alertsFile()), { recursive: true });
    fs.writeFileSync(
      alertsFile(),
      JSON.stringify({
        rules: [
          { id: 'loss-high', metric: 'val_loss', comparison: '>', threshold: 0.9, scope: { kind: 'all' } },
          {
            id: 'retrain-on-drift',
            metric: 'drift.score',
            comparison: '>',
            threshold: 0.3,
            scope: { kind: 'all' },
            trigger: { pipeline: 'pipelines/train.py', parameters: { data_window: '30' } },
          },
        ],
      }),
    );
    const rules = (await vscode.commands.executeCommand('trackside.reloadAlerts')) as { id: string }[];
    assert.deepEqual(rules.map((rule) => rule.id), ['loss-high', 'retrain-on-drift']);
  });

  after(async () => {
    if (observing) window.showWarningMessage = originalWarning;
    fs.rmSync(alertsFile(), { force: true });
    await vscode.commands.executeCommand('trackside.reloadAlerts');
  });

  it('checks drift of the demo datasets: one run with a metric per column, the report artifacts, and the drifted columns named', async () => {
    const api = await tracksideApi();
    const client = await api.connection.client();
    const data = path.join(folder(), 'data');
    drift = (await vscode.commands.executeCommand('trackside.checkDataDrift', path.join(data, 'reference.csv'), path.join(data, 'current.csv'))) as DriftAnswer;
    assert.ok(drift, 'the command answered (see the log if it failed)');
    assert.deepEqual(drift.drifted_columns, ['plan', 'monthly_charges', 'last_login_days']);
    assert.match(drift.summary, /^3 of 9 columns drifted: plan \(PSI 0\.\d\d\), monthly_charges \(PSI 0\.\d\d\), last_login_days \(nulls 2\.0% → 22\.0%\)\.$/);
    const run = await client.runs.get(drift.run_id);
    assert.equal(run.info.status, 'FINISHED');
    assert.equal(run.info.experiment_id, (await client.experiments.getByName('Monitoring'))?.experiment_id);
    const tags = tagsOf(run);
    assert.equal(tags['trackside.monitor'], 'drift');
    assert.equal(tags['trackside.drifted_columns'], 'plan,monthly_charges,last_login_days');
    const metrics = Object.fromEntries((run.data.metrics ?? []).map((metric) => [metric.key, Number(metric.value)]));
    assert.ok(metrics['drift.psi.monthly_charges'] > 0.2);
    assert.ok(metrics['drift.ks_pvalue.monthly_charges'] < 0.05);
    assert.ok(metrics['drift.chi2_pvalue.plan'] < 0.05);
    assert.ok(metrics['drift.ks_pvalue.age'] > 0.05);
    assert.equal(metrics['drift.score'], 3 / 9);
    const artifacts = (await client.artifacts.list(drift.run_id, 'drift')).files.map((file) => file.path).sort();
    assert.deepEqual(artifacts, ['drift/report.html', 'drift/report.png', 'drift/summary.json']);
    const png = await client.artifacts.read(drift.run_id, 'drift/report.png');
    assert.equal(png.subarray(1, 4).toString('ascii'), 'PNG');
    const opened = (await vscode.commands.executeCommand('trackside.openDriftReport', drift.run_id)) as { title: string };
    assert.equal(opened.title, 'drift: reference.csv → current.csv');
    await waitFor('the report in a tab', () => vscode.window.tabGroups.all.some((group) => group.tabs.some((tab) => tab.label === opened.title)), 10_000);
    if (observing) await waitFor('the drift notification', () => notifications.some((text) => text === drift.summary), 10_000);
  });

  it('fires an alert on a metric a python3 process logs: the run is tagged and a notification names it', async () => {
    const api = await tracksideApi();
    const client = await api.connection.client();
    const env = await api.connection.trackingEnvironment();
    const runId = (await runPython(pythonMetricLogger('training', 'py-alert', 'val_loss', 0.91), env)).trim();
    const run = await waitFor('the alert tag on the run', async () => {
      const current = await client.runs.get(runId);
      return tagsOf(current)['trackside.alert.loss-high'] ? current : undefined;
    });
    assert.match(tagsOf(run)['trackside.alert.loss-high'], /^fired at \d{4}-\d\d-\d\dT[\d:.]+Z: val_loss 0\.91 > 0\.9$/);
    if (observing) {
      await waitFor('the alert notification', () => notifications.includes("Alert 'loss-high': val_loss 0.91 > 0.9 in run py-alert"), 10_000);
    }
  });

  it('starts the retraining pipeline exactly once when the drift score crosses its rule', async () => {
    const api = await tracksideApi();
    const client = await api.connection.client();
    // The drift check above logged drift.score 0.333 > 0.3: the rule's pipeline runs with data_window=30.
    const [triggered] = await waitFor(
      'the triggered pipeline run to finish',
      async () => {
        const runs = await triggeredRuns(client, 'retrain-on-drift');
        return runs.length > 0 && runs[0].info.status !== 'RUNNING' ? runs : undefined;
      },
      90_000,
    );
    assert.equal(triggered.info.status, 'FINISHED', tagsOf(triggered)['trackside.error']);
    assert.equal(tagsOf(triggered)['trackside.triggered_by'], `retrain-on-drift: drift.score = 0.3333 (> 0.3) in run ${drift.run_id}, firing retrain-on-drift#1`);
    assert.equal(tagsOf(triggered)['trackside.pipeline'], 'train.py');
    const params = Object.fromEntries((triggered.data.params ?? []).map((param) => [param.key, param.value]));
    assert.equal(params.data_window, '30');
    const metrics = Object.fromEntries((triggered.data.metrics ?? []).map((metric) => [metric.key, Number(metric.value)]));
    assert.equal(metrics.train_rows, 2400, '30 days of 100 rows, 80% for training');
    assert.ok(metrics.val_accuracy > 0.5, `val_accuracy ${metrics.val_accuracy}`);

    // More drift on the same run is the same crossing: no second run.
    const env = await api.connection.trackingEnvironment();
    await runPython(pythonMetricLogger('Monitoring', '', 'drift.score', 0.5, drift.run_id), env);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal((await triggeredRuns(client, 'retrain-on-drift')).length, 1);
  });

  it('adds rules with "Add Alert Rule" (argument instead of prompts) and removes them with "Remove Alert Rule"', async () => {
    const before = fs.readFileSync(alertsFile(), 'utf8');
    // A rule that is not valid is refused with its problems, and the file is left alone.
    assert.deepEqual(await vscode.commands.executeCommand('trackside.addAlertRule', { id: 'half', metric: 'val_loss', threshold: 1 }), {
      errors: ['comparison: missing; use one of >, >=, <, <=, ==, !=', 'scope: missing; use { "kind": "all" }, { "kind": "experiment", "experimentId": "1" } or { "kind": "model", "name": "churn" }'],
    });
    assert.equal(fs.readFileSync(alertsFile(), 'utf8'), before);
    const added = (await vscode.commands.executeCommand('trackside.addAlertRule', { metric: 'val_loss', comparison: '>', threshold: 5, scope: { kind: 'all' } })) as {
      file: string;
      rule: { id: string };
      active: boolean;
    };
    assert.deepEqual(added, { file: alertsFile(), rule: { id: 'val_loss-above-5', metric: 'val_loss', comparison: '>', threshold: 5, scope: { kind: 'all' } }, active: true });
    const saved = JSON.parse(fs.readFileSync(alertsFile(), 'utf8')) as { rules: { id: string }[] };
    assert.deepEqual(
      saved.rules.map((rule) => rule.id),
      ['loss-high', 'retrain-on-drift', 'val_loss-above-5'],
    );
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, alertsFile(), 'the saved file is shown');
    const rules = (await vscode.commands.executeCommand('trackside.reloadAlerts')) as { id: string }[];
    assert.deepEqual(
      rules.map((rule) => rule.id),
      ['loss-high', 'retrain-on-drift', 'val_loss-above-5'],
    );
    assert.deepEqual(await vscode.commands.executeCommand('trackside.removeAlertRule', 'val_loss-above-5'), { file: alertsFile(), removed: 'val_loss-above-5' });
    assert.equal(fs.readFileSync(alertsFile(), 'utf8'), before, 'adding and removing a rule gives the file back');
    assert.deepEqual(
      (JSON.parse(fs.readFileSync(alertsFile(), 'utf8')) as { rules: { id: string }[] }).rules.map((rule) => rule.id),
      ['loss-high', 'retrain-on-drift'],
    );
  });

  it('runs a scheduled rule’s pipeline once per interval (not when loaded) and each run records the schedule', async () => {
    const api = await tracksideApi();
    const client = await api.connection.client();
    fs.writeFileSync(
      path.join(folder(), 'pipelines', 'tick.py'),
      '# %% tags=["parameters"]\nlabel: str = "manual"\n\n# %%\nimport trackside\ntrackside.log_metric("ticked", 1)\n',
    );
    const intervalMs = 0.1 * 60_000;
    const loadedAt = Date.now();
    const added = (await vscode.commands.executeCommand('trackside.addAlertRule', {
      id: 'tick',
      schedule: { everyMinutes: 0.1 },
      trigger: { pipeline: 'pipelines/tick.py', parameters: { label: 'scheduled' } },
    })) as { active: boolean };
    assert.equal(added?.active, true, 'the rule was saved and loaded');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal((await triggeredRuns(client, 'tick')).length, 0, 'nothing runs when the rule is loaded');

    const finished = await waitFor(
      'two scheduled runs to finish',
      async () => {
        const runs = await triggeredRuns(client, 'tick');
        const done = runs.filter((run) => run.info.status !== 'RUNNING');
        return done.length >= 2 ? done : undefined;
      },
      120_000,
    );
    assert.deepEqual(await vscode.commands.executeCommand('trackside.removeAlertRule', 'tick'), { file: alertsFile(), removed: 'tick' });
    const removedAt = Date.now();
    const starts = finished.map((run) => Number(run.info.start_time)).sort((a, b) => a - b);
    assert.ok(starts[0] >= loadedAt + intervalMs, `the first run started ${starts[0] - loadedAt} ms after the rule was loaded`);
    for (const run of finished) {
      assert.equal(run.info.status, 'FINISHED', tagsOf(run)['trackside.error']);
      assert.match(tagsOf(run)['trackside.triggered_by'], /^tick: schedule every 0\.1 minutes, firing tick#\d+$/);
      assert.equal(tagsOf(run)['mlflow.runName'], 'tick.py (schedule tick)');
      assert.equal(Object.fromEntries((run.data.params ?? []).map((param) => [param.key, param.value])).label, 'scheduled');
    }
    // At most one run per interval that passed while the rule was there, and none after it was removed
    // (a run fired just before the removal may take a few seconds to appear).
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const whileActive = (await triggeredRuns(client, 'tick')).length;
    assert.ok(whileActive <= Math.floor((removedAt - loadedAt) / intervalMs), `${whileActive} runs in ${removedAt - loadedAt} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs + 2000));
    assert.equal((await triggeredRuns(client, 'tick')).length, whileActive, 'no run after the rule was removed');
  });

  it("checks a model version's performance on the demo's labelled data and charts its checks in the monitor", async () => {
    const api = await tracksideApi();
    const client = await api.connection.client();
    await client.registeredModels.create('monitored-churn');
    await client.modelVersions.create('monitored-churn', 'file:///models/churn');
    const labelledPath = path.join(folder(), 'data', 'labelled.csv');
    const check = { name: 'monitored-churn', version: '1', labelledPath, labelColumn: 'churned', predictionColumn: 'predicted_churn' };
    const first = (await vscode.commands.executeCommand('trackside.checkModelPerformance', check)) as { run_id: string; metrics: Record<string, number>; summary: string };
    assert.ok(first.metrics['perf.accuracy'] > 0.6, first.summary);
    assert.equal(first.metrics['perf.rows'], 2000);
    await vscode.commands.executeCommand('trackside.checkModelPerformance', check);
    const tags = tagsOf(await client.runs.get(first.run_id));
    assert.equal(tags['trackside.model_name'], 'monitored-churn');
    assert.equal(tags['trackside.model_version'], '1');
    const opened = (await vscode.commands.executeCommand('trackside.openMonitor', { name: 'monitored-churn', version: '1' })) as OpenedMonitor;
    assert.equal(opened.runIds.length, 2);
    assert.equal(opened.runIds[0], first.run_id, 'oldest first');
    assert.deepEqual(opened.keys, ['perf.accuracy', 'perf.precision', 'perf.recall', 'perf.f1']);
    assert.deepEqual(JSON.parse(JSON.stringify(opened)), { name: 'monitored-churn', version: '1', runIds: opened.runIds, keys: opened.keys }, 'the answer serializes without the panel');
    await waitFor('the monitor panel', () => vscode.window.tabGroups.all.some((group) => group.tabs.some((tab) => tab.label === 'Monitor: monitored-churn')), 10_000);
    // The webview drew the checks: one series per metric with version 1's two checks, oldest first, at their run's start time.
    const shown = await waitFor('the monitor webview to ask for its data', () => opened.panel.shown, 20_000);
    assert.equal(opened.panel.highlighted, '1');
    assert.deepEqual(shown.versions.map((version) => version.version), ['1']);
    const accuracy = seriesOf(shown.checks, 'perf.accuracy');
    assert.deepEqual(accuracy.map((series) => series.version), ['1']);
    assert.deepEqual(accuracy[0].points.map((point) => point.runId), opened.runIds);
    assert.equal(accuracy[0].points[0].y, first.metrics['perf.accuracy']);
    assert.equal(accuracy[0].points[0].x, (await client.runs.get(first.run_id)).info.start_time);

    // A check of a second version lands while the monitor is open: the panel shows its series at once.
    await client.modelVersions.create('monitored-churn', 'file:///models/churn-2');
    const second = (await vscode.commands.executeCommand('trackside.checkModelPerformance', { ...check, version: '2' })) as { run_id: string };
    const live = await waitFor('the new check in the monitor', () => (opened.panel.shown?.checks.length === 3 ? opened.panel.shown : undefined), 20_000);
    assert.deepEqual(live.versions.map((version) => version.version), ['1', '2']);
    assert.deepEqual(seriesOf(live.checks, 'perf.f1').map((series) => [series.version, series.points.map((point) => point.runId)]), [
      ['1', opened.runIds],
      ['2', [second.run_id]],
    ]);
    // Opening the monitor of version 2 reveals the same panel, highlighting version 2.
    const again = (await vscode.commands.executeCommand('trackside.openMonitor', { name: 'monitored-churn', version: '2' })) as OpenedMonitor;
    assert.equal(again.panel, opened.panel);
    assert.deepEqual(again.runIds, [second.run_id]);
    assert.equal(opened.panel.highlighted, '2');
    assert.equal(vscode.window.tabGroups.all.flatMap((group) => group.tabs).filter((tab) => tab.label === 'Monitor: monitored-churn').length, 1);
  });

  it('warns once about an alerts.json that is not valid, and runs no rule from it', async () => {
    fs.writeFileSync(alertsFile(), '{ "rules": [ { "id": "x", "metric": "loss", "comparison": "=>", "threshold": "0.5", "scope": { "kind": "all" } } ] }');
    assert.deepEqual(await vscode.commands.executeCommand('trackside.reloadAlerts'), []);
    assert.deepEqual(await vscode.commands.executeCommand('trackside.reloadAlerts'), []);
    fs.writeFileSync(alertsFile(), '{ "rules": [');
    assert.deepEqual(await vscode.commands.executeCommand('trackside.reloadAlerts'), []);
    if (observing) {
      const invalid = notifications.filter((text) => text.startsWith('.trackside/alerts.json has 2 problems'));
      assert.equal(invalid.length, 1, notifications.join('\n'));
      assert.match(invalid[0], /rules\[0\]\.comparison: expected one of >, >=, <, <=, ==, != but found "=>"/);
      assert.equal(notifications.filter((text) => text.startsWith('.trackside/alerts.json is not valid JSON')).length, 1);
    }
  });

  it('creates alerts.json with no rules and puts the example in the editor, unsaved', async () => {
    fs.rmSync(alertsFile(), { force: true });
    const opened = (await vscode.commands.executeCommand('trackside.editAlerts')) as { file: string; created: boolean };
    assert.deepEqual(opened, { file: alertsFile(), created: true });
    assert.deepEqual(JSON.parse(fs.readFileSync(alertsFile(), 'utf8')), { rules: [] }, 'nothing is active before the person saves');
    const editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.uri.fsPath, alertsFile());
    assert.ok(editor.document.isDirty);
    assert.match(editor.document.getText(), /"retrain-on-drift"/);
    assert.deepEqual(await vscode.commands.executeCommand('trackside.reloadAlerts'), []);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('scores with a logged model version when the labelled file has no predictions', async () => {
    const api = await tracksideApi();
    const env = await api.connection.trackingEnvironment();
    const { version } = await logDemoModel(env.MLFLOW_TRACKING_URI, env.MLFLOW_TRACKING_TOKEN ?? '', 'spend');
    const rows = Array.from({ length: 40 }, (_, i) => ({ tenure: i, plan: i % 3, calls: i % 2 }));
    const labelledPath = path.join(folder(), 'data', 'spend.csv');
    fs.writeFileSync(labelledPath, ['tenure,plan,calls,spend', ...rows.map((row) => `${row.tenure},${row.plan},${row.calls},${expectedSpend(row) + 0.5}`)].join('\n') + '\n');
    const answer = (await vscode.commands.executeCommand('trackside.checkModelPerformance', { name: 'spend', version, labelledPath, labelColumn: 'spend' })) as {
      metrics: Record<string, number>;
      summary: string;
    };
    assert.ok(answer, 'the command answered (see the log if it failed)');
    assert.ok(Math.abs(answer.metrics['perf.rmse'] - 0.5) < 1e-9, answer.summary);
    assert.equal(answer.metrics['perf.rows'], 40);
  });
});
