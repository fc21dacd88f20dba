import { AlertRule, evaluate, isScheduledRun, matchesRule, MetricObservation, ScheduledRunRule } from './alertRules';

export type TriggerStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

/** The pipeline run a firing asked for. */
export interface TriggeredRun {
  pipeline: string;
  parameters: Record<string, string>;
  status: TriggerStatus;
  /** Why it was skipped, or the error it failed with. */
  detail?: string;
  pipelineRunId?: string;
  startedAt?: number;
  finishedAt?: number;
  /** 1, plus one per manual retry. */
  attempts: number;
}

export interface Firing {
  /** `<rule id>#<sequence>`. */
  id: string;
  ruleId: string;
  /** The metric value that crossed the rule; absent for a scheduled run. */
  observation?: MetricObservation;
  /** For a scheduled run: the interval whose passing fired it. */
  schedule?: { everyMinutes: number };
  firedAt: number;
  trigger?: TriggeredRun;
}

/** A firing of a metric rule (`observe` returns these). */
export type MetricFiring = Firing & { observation: MetricObservation };

export type ObserveResult =
  | { fired: false; reason: 'not-watched' | 'condition-false' | 'already-fired' }
  /** `startRun`: the caller should start `firing.trigger` now, then call `markStarted`. */
  | { fired: true; firing: MetricFiring; startRun: boolean };

export interface TriggerBookState {
  sequence: number;
  firings: Firing[];
  crossings: string[];
  activeRuns: [string, string][];
  lastChecked: [string, number][];
}

/** Firings kept; older ones are dropped unless their run is still pending or running. */
const defaultHistory = 1_000;

/**
 * What alert rules have done: firings, the runs they triggered, and when scheduled rules were last
 * checked or run. Pure state (times are passed in; nothing runs here), serialisable with `toJSON`.
 *
 * - A rule fires once per crossing of a run's metric (per model, or per experiment, when the
 *   observation has no run): while the condition stays true it does not fire again; once a value
 *   makes it false, the next true value is a new crossing.
 * - At most one triggered run per rule is pending or running; a firing meanwhile records its run
 *   as `skipped`.
 * - A failed run is never retried automatically; `retry` does it on request. A scheduled run that
 *   failed runs again only when its next interval has passed.
 * - A scheduled run's clock starts when the book first sees the rule (`noteRules`): its first run is
 *   one interval later, and each later one an interval after the previous one started. A record
 *   restored from an earlier session counts: a run overdue since then is due at once (once).
 */
export class TriggerBook {
  private sequence = 0;
  private firingList: Firing[] = [];
  private readonly crossings = new Set<string>();
  private readonly activeRuns = new Map<string, string>();
  private readonly lastChecked = new Map<string, number>();

  constructor(
    state?: TriggerBookState,
    private readonly history = defaultHistory,
  ) {
    if (state !== undefined) {
      this.sequence = state.sequence;
      this.firingList = state.firings.map((firing) => structuredClone(firing));
      state.crossings.forEach((crossing) => this.crossings.add(crossing));
      state.activeRuns.forEach(([ruleId, firingId]) => this.activeRuns.set(ruleId, firingId));
      state.lastChecked.forEach(([ruleId, time]) => this.lastChecked.set(ruleId, time));
    }
  }

  /** Records an observation against a rule; says whether it fired and whether to start its run. */
  observe(rule: AlertRule, observation: MetricObservation, now: number): ObserveResult {
    if (!matchesRule(rule, observation)) {
      return { fired: false, reason: 'not-watched' };
    }
    const crossing = crossingKey(rule, observation);
    if (!evaluate(rule, observation)) {
      this.crossings.delete(crossing);
      return { fired: false, reason: 'condition-false' };
    }
    if (this.crossings.has(crossing)) {
      return { fired: false, reason: 'already-fired' };
    }
    this.crossings.add(crossing);
    const firing: MetricFiring = { id: `${rule.id}#${++this.sequence}`, ruleId: rule.id, observation: { ...observation }, firedAt: now };
    const startRun = this.record(rule, firing);
    return { fired: true, firing, startRun };
  }

  /**
   * A scheduled run's interval passed (see `dueRules`): records a firing, and whether to start its
   * pipeline now (not while its previous run is pending or running: that firing is `skipped`).
   * The caller marks the rule checked at `now`, so the next run is one interval later.
   */
  scheduleRun(rule: ScheduledRunRule, now: number): { firing: Firing; startRun: boolean } {
    const firing: Firing = { id: `${rule.id}#${++this.sequence}`, ruleId: rule.id, schedule: { everyMinutes: rule.schedule.everyMinutes }, firedAt: now };
    const startRun = this.record(rule, firing);
    return { firing, startRun };
  }

  private record(rule: AlertRule, firing: Firing): boolean {
    let startRun = false;
    if (rule.trigger !== undefined) {
      const active = this.activeRuns.get(rule.id);
      firing.trigger = { pipeline: rule.trigger.pipeline, parameters: { ...rule.trigger.parameters }, status: 'pending', attempts: 1 };
      if (active !== undefined) {
        firing.trigger.status = 'skipped';
        firing.trigger.detail = `A run triggered by this rule (firing ${active}) is still pending or running`;
      } else {
        this.activeRuns.set(rule.id, firing.id);
        startRun = true;
      }
    }
    this.firingList.push(firing);
    this.trim();
    return startRun;
  }

  /** The caller started the firing's pipeline run. */
  markStarted(firingId: string, pipelineRunId: string, now: number): void {
    const trigger = this.requireTrigger(firingId, ['pending']);
    trigger.status = 'running';
    trigger.pipelineRunId = pipelineRunId;
    trigger.startedAt = now;
  }

  /** The firing's run ended (or could not start: `failed` from `pending`). Frees the rule for its next run. */
  markFinished(firingId: string, outcome: 'succeeded' | 'failed', now: number, error?: string): void {
    const trigger = this.requireTrigger(firingId, ['pending', 'running']);
    trigger.status = outcome;
    trigger.finishedAt = now;
    if (error !== undefined) {
      trigger.detail = error;
    }
    const firing = this.find(firingId) as Firing;
    if (this.activeRuns.get(firing.ruleId) === firingId) {
      this.activeRuns.delete(firing.ruleId);
    }
  }

  /**
   * A person asked to run a failed trigger again: it becomes pending (start it, then
   * `markStarted`). Refused while another run of the same rule is pending or running.
   */
  retry(firingId: string): void {
    const trigger = this.requireTrigger(firingId, ['failed']);
    const firing = this.find(firingId) as Firing;
    const active = this.activeRuns.get(firing.ruleId);
    if (active !== undefined) {
      throw new Error(`Rule "${firing.ruleId}" already has a run pending or running (firing ${active}); retry once it ends`);
    }
    trigger.status = 'pending';
    trigger.attempts++;
    delete trigger.pipelineRunId;
    delete trigger.startedAt;
    delete trigger.finishedAt;
    delete trigger.detail;
    this.activeRuns.set(firing.ruleId, firingId);
  }

  /**
   * Starts the clock of scheduled runs the book has not seen before (their first run is one
   * interval after `now`). Says whether it recorded anything.
   */
  noteRules(rules: readonly AlertRule[], now: number): boolean {
    let noted = false;
    for (const rule of rules) {
      if (isScheduledRun(rule) && !this.lastChecked.has(rule.id)) {
        this.lastChecked.set(rule.id, now);
        noted = true;
      }
    }
    return noted;
  }

  /**
   * Scheduled rules whose interval has passed since they were last checked or run. A metric rule
   * never checked is due at once; a scheduled run never seen starts its clock now (`noteRules`).
   */
  dueRules(rules: readonly AlertRule[], now: number): AlertRule[] {
    this.noteRules(rules, now);
    return rules.filter((rule) => {
      const dueAt = this.dueAt(rule, now);
      return dueAt !== undefined && now >= dueAt;
    });
  }

  /** When the next scheduled rule is due (`now` for one due already); undefined with none scheduled. */
  nextDueAt(rules: readonly AlertRule[], now: number): number | undefined {
    let next: number | undefined;
    for (const rule of rules) {
      const dueAt = this.dueAt(rule, now);
      if (dueAt !== undefined) {
        next = Math.min(next ?? Infinity, Math.max(now, dueAt));
      }
    }
    return next;
  }

  /** When a scheduled rule is due next (undefined for an unscheduled rule). */
  dueAt(rule: AlertRule, now: number): number | undefined {
    if (rule.schedule === undefined) {
      return undefined;
    }
    const interval = rule.schedule.everyMinutes * 60_000;
    const last = this.lastChecked.get(rule.id);
    if (last === undefined) {
      return isScheduledRun(rule) ? now + interval : now;
    }
    return last + interval;
  }

  markChecked(ruleId: string, now: number): void {
    this.lastChecked.set(ruleId, now);
  }

  /** The firing whose run is pending or running for this rule, if any. */
  activeFiring(ruleId: string): Firing | undefined {
    const firingId = this.activeRuns.get(ruleId);
    return firingId === undefined ? undefined : this.find(firingId);
  }

  /** Firings, oldest first; of one rule when told. */
  firings(ruleId?: string): readonly Firing[] {
    return ruleId === undefined ? this.firingList : this.firingList.filter((firing) => firing.ruleId === ruleId);
  }

  find(firingId: string): Firing | undefined {
    return this.firingList.find((firing) => firing.id === firingId);
  }

  /** Forgets a deleted run's crossings, so the book does not grow with dead runs. */
  forgetRun(runId: string): void {
    for (const crossing of [...this.crossings]) {
      if (crossing.endsWith(`\u0000run:${runId}`)) {
        this.crossings.delete(crossing);
      }
    }
  }

  toJSON(): TriggerBookState {
    return {
      sequence: this.sequence,
      firings: this.firingList.map((firing) => structuredClone(firing)),
      crossings: [...this.crossings],
      activeRuns: [...this.activeRuns],
      lastChecked: [...this.lastChecked],
    };
  }

  private requireTrigger(firingId: string, allowed: TriggerStatus[]): TriggeredRun {
    const firing = this.find(firingId);
    if (firing === undefined) {
      throw new Error(`No firing "${firingId}" is recorded`);
    }
    if (firing.trigger === undefined) {
      throw new Error(`Firing "${firingId}" of rule "${firing.ruleId}" triggers no pipeline`);
    }
    if (!allowed.includes(firing.trigger.status)) {
      throw new Error(`The run of firing "${firingId}" is ${firing.trigger.status}; expected ${allowed.join(' or ')}`);
    }
    return firing.trigger;
  }

  private trim(): void {
    let excess = this.firingList.length - this.history;
    if (excess <= 0) {
      return;
    }
    const active = new Set(this.activeRuns.values());
    this.firingList = this.firingList.filter((firing) => {
      if (excess > 0 && !active.has(firing.id)) {
        excess--;
        return false;
      }
      return true;
    });
  }
}

function crossingKey(rule: AlertRule, observation: MetricObservation): string {
  const subject =
    observation.runId !== undefined
      ? `run:${observation.runId}`
      : observation.modelName !== undefined
        ? `model:${observation.modelName}`
        : `experiment:${observation.experimentId}`;
  return `${rule.id}\u0000${observation.key}\u0000${subject}`;
}
