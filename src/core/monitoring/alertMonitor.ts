import type { Run } from '../../shared/entities';
import type { TrackingClient } from '../client/trackingClient';
import { TrackingClientError } from '../client/trackingClientError';
import { AlertRule, describeSchedule, isMetricRule, isScheduledRun, MetricAlertRule, MetricObservation } from './alertRules';
import { keySegment } from './metricKeys';
import { tagValue } from './monitoringRuns';
import { performanceTags } from './performanceRun';
import { Firing, TriggerBook } from './triggerBook';
import { filterString } from '../search/filterLiteral';

/** The tag a triggered pipeline run carries: `<rule id>: <metric> = <value> (<comparison> <threshold>) in run <id>`. */
export const triggeredByTag = 'trackside.triggered_by';

/** The run tag an alert sets when it fires: `trackside.alert.<rule id>`. */
export function alertTagKey(ruleId: string): string {
  return `trackside.alert.${keySegment(ruleId)}`;
}

/** What happened when a rule fired. */
export interface AlertEvent {
  /** `alert`: a metric crossed the rule; `schedule`: a scheduled run's interval passed. */
  kind: 'alert' | 'schedule';
  rule: AlertRule;
  firing: Firing;
  /** The run whose metric fired the rule (not for a scheduled run). */
  run?: { runId: string; runName: string; experimentId: string };
  /**
   * For a notification or the log: `Alert 'loss-high': val_loss 0.91 > 0.9 in run lunar-fox-12`,
   * or `Scheduled run 'nightly-retrain' (every 1440 minutes): pipelines/train.py`.
   */
  message: string;
  /** Start `firing.trigger` now (see `runTrigger`). */
  startRun: boolean;
  /** Why a rule with a trigger did not start a run for this firing (another run of it is active, or the run was its own). */
  notStarted?: string;
  /** The tag set on the run; or why setting it failed. */
  tagKey?: string;
  tagError?: string;
}

export interface AlertMonitorOptions {
  client: TrackingClient;
  book: TriggerBook;
  /** Milliseconds since the epoch; `Date.now` unless told. */
  now?: () => number;
  /** Runs a scheduled check reads per rule, newest first (100 unless told). */
  scheduledRunLimit?: number;
}

/**
 * Watches logged metrics against alert rules: reads the affected runs' latest values, records
 * what fires in the `TriggerBook` (once per crossing), tags each run an alert fired on
 * (`trackside.alert.<rule id>`), and says what to notify and which pipelines to start. It starts
 * nothing itself; see `runTrigger`.
 */
export class AlertMonitor {
  private ruleList: AlertRule[] = [];
  private readonly now: () => number;

  constructor(private readonly options: AlertMonitorOptions) {
    this.now = options.now ?? Date.now;
  }

  get rules(): readonly AlertRule[] {
    return this.ruleList;
  }

  /** The rules to watch; a scheduled run new to the book starts its clock now. */
  setRules(rules: readonly AlertRule[]): void {
    this.ruleList = [...rules];
    this.options.book.noteRules(this.ruleList, this.now());
  }

  /** Metrics were logged (run id → keys, as the change stream says): evaluates the rules watching them. */
  async metricsLogged(runs: Readonly<Record<string, readonly string[]>>): Promise<AlertEvent[]> {
    const events: AlertEvent[] = [];
    for (const [runId, keys] of Object.entries(runs)) {
      const rules = this.ruleList.filter(isMetricRule).filter((rule) => keys.includes(rule.metric));
      if (rules.length === 0) {
        continue;
      }
      const run = await this.readRun(runId);
      if (run !== undefined) {
        events.push(...(await this.observeRun(run, rules)));
      }
    }
    return events;
  }

  /**
   * The scheduled rules that are due: a metric rule is evaluated on the latest values of the runs in
   * its scope; a scheduled run fires once (start its pipeline when `startRun`). Either way the rule
   * is next due one interval from now, whatever happens to the run.
   */
  async checkScheduled(): Promise<AlertEvent[]> {
    const events: AlertEvent[] = [];
    const book = this.options.book;
    for (const rule of book.dueRules(this.ruleList, this.now())) {
      const now = this.now();
      book.markChecked(rule.id, now);
      if (isScheduledRun(rule)) {
        const { firing, startRun } = book.scheduleRun(rule, now);
        const event: AlertEvent = {
          kind: 'schedule',
          rule,
          firing,
          message: `Scheduled run '${rule.id}' (${describeSchedule(rule.schedule)}): ${rule.trigger.pipeline}`,
          startRun,
        };
        if (firing.trigger?.status === 'skipped') {
          event.notStarted = firing.trigger.detail;
        }
        events.push(event);
        continue;
      }
      for (const run of await this.runsInScope(rule)) {
        events.push(...(await this.observeRun(run, [rule])));
      }
    }
    return events;
  }

  private async observeRun(run: Run, rules: readonly MetricAlertRule[]): Promise<AlertEvent[]> {
    if (run.info.lifecycle_stage === 'deleted') {
      return [];
    }
    const tags = new Map((run.data.tags ?? []).map((tag) => [tag.key, tag.value]));
    const needsModels = rules.some((rule) => rule.scope.kind === 'model');
    const modelNames = needsModels ? await this.modelNames(run, tags) : [];
    const runName = tags.get('mlflow.runName') || run.info.run_name || run.info.run_id;
    const events: AlertEvent[] = [];
    for (const rule of rules) {
      const metric = (run.data.metrics ?? []).find((entry) => entry.key === rule.metric);
      if (metric === undefined) {
        continue;
      }
      const value = metric.value === 'NaN' ? NaN : Number(metric.value);
      const base: MetricObservation = { experimentId: run.info.experiment_id, runId: run.info.run_id, key: rule.metric, value };
      const observations = rule.scope.kind === 'model' ? modelNames.map((modelName) => ({ ...base, modelName })) : [base];
      // A run a rule started itself may fire that rule, but never starts it again.
      const ownRun = rule.trigger !== undefined && (tags.get(triggeredByTag) ?? '').startsWith(`${rule.id}:`);
      const watched: MetricAlertRule = ownRun ? { ...rule, trigger: undefined } : rule;
      for (const observation of observations) {
        const result = this.options.book.observe(watched, observation, this.now());
        if (!result.fired) {
          continue;
        }
        const event: AlertEvent = {
          kind: 'alert',
          rule,
          firing: result.firing,
          run: { runId: run.info.run_id, runName, experimentId: run.info.experiment_id },
          message: `Alert '${rule.id}': ${rule.metric} ${formatValue(value)} ${rule.comparison} ${rule.threshold} in run ${runName}`,
          startRun: result.startRun,
        };
        if (ownRun) {
          event.notStarted = `run ${runName} was itself started by this rule`;
        } else if (result.firing.trigger?.status === 'skipped') {
          event.notStarted = result.firing.trigger.detail;
        }
        await this.tagRun(event, rule, value);
        events.push(event);
      }
    }
    return events;
  }

  private async tagRun(event: AlertEvent, rule: MetricAlertRule, value: number): Promise<void> {
    const key = alertTagKey(rule.id);
    const text = `fired at ${new Date(event.firing.firedAt).toISOString()}: ${rule.metric} ${formatValue(value)} ${rule.comparison} ${rule.threshold}`;
    try {
      await this.options.client.runs.setTag(event.firing.observation?.runId as string, key, tagValue(text));
      event.tagKey = key;
    } catch (error) {
      event.tagError = error instanceof Error ? error.message : String(error);
    }
  }

  private async readRun(runId: string): Promise<Run | undefined> {
    try {
      return await this.options.client.runs.get(runId);
    } catch (error) {
      if (error instanceof TrackingClientError && error.isNotFound) {
        return undefined;
      }
      throw error;
    }
  }

  /** The registered models a run belongs to: its performance-check tag, and the versions it produced. */
  private async modelNames(run: Run, tags: Map<string, string>): Promise<string[]> {
    const names = new Set<string>();
    const tagged = tags.get(performanceTags.modelName);
    if (tagged) {
      names.add(tagged);
    }
    const versions = await this.options.client.modelVersions.searchAll({ filter: `run_id = ${filterString(run.info.run_id)}` });
    versions.forEach((version) => names.add(version.name));
    return [...names];
  }

  private async runsInScope(rule: MetricAlertRule): Promise<Run[]> {
    const client = this.options.client;
    const limit = this.options.scheduledRunLimit ?? 100;
    const newest = { orderBy: ['attributes.start_time DESC'], maxResults: limit, runViewType: 'ACTIVE_ONLY' as const };
    if (rule.scope.kind === 'experiment') {
      return client.runs.searchAll({ experimentIds: [rule.scope.experimentId], ...newest });
    }
    const experimentIds = (await client.experiments.searchAll()).map((experiment) => experiment.experiment_id);
    if (experimentIds.length === 0) {
      return [];
    }
    if (rule.scope.kind === 'all') {
      return client.runs.searchAll({ experimentIds, ...newest });
    }
    const name = rule.scope.name;
    const checked = await client.runs.searchAll({ experimentIds, filter: `tags.\`${performanceTags.modelName}\` = ${filterString(name)}`, ...newest });
    const versions = await client.modelVersions.listForModel(name);
    const known = new Set(checked.map((run) => run.info.run_id));
    const sources: Run[] = [];
    for (const version of versions) {
      if (version.run_id && !known.has(version.run_id)) {
        known.add(version.run_id);
        const run = await this.readRun(version.run_id);
        if (run !== undefined) {
          sources.push(run);
        }
      }
    }
    return [...checked, ...sources].slice(0, limit);
  }
}

/** A metric value in at most 4 significant digits. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) {
    return String(value);
  }
  return Math.abs(value) >= 1e6 || (value !== 0 && Math.abs(value) < 1e-3) ? value.toExponential(3) : String(Number(value.toPrecision(4)));
}

/**
 * The `trackside.triggered_by` text of a firing: `<rule id>: <metric> = <value> (<comparison>
 * <threshold>) in run <id>, firing <id>`, or for a scheduled run `<rule id>: schedule every <n>
 * minutes, firing <id>`.
 */
export function describeTriggeredBy(rule: AlertRule, firing: Firing): string {
  const observation = firing.observation;
  if (observation === undefined || !isMetricRule(rule)) {
    const schedule = firing.schedule ?? rule.schedule;
    return tagValue(`${rule.id}: schedule ${schedule ? describeSchedule(schedule) : ''}, firing ${firing.id}`);
  }
  const where = observation.runId !== undefined ? `run ${observation.runId}` : observation.modelName !== undefined ? `model ${observation.modelName}` : `experiment ${observation.experimentId}`;
  return tagValue(`${rule.id}: ${observation.key} = ${formatValue(observation.value)} (${rule.comparison} ${rule.threshold}) in ${where}, firing ${firing.id}`);
}
