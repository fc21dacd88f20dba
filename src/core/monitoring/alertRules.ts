export type Comparison = '>' | '>=' | '<' | '<=' | '==' | '!=';

export type AlertScope = { kind: 'experiment'; experimentId: string } | { kind: 'model'; name: string } | { kind: 'all' };

export interface AlertTrigger {
  /** The pipeline script to run, relative to the workspace folder. */
  pipeline: string;
  /** Parameter overrides for its parameters cell. */
  parameters: Record<string, string>;
}

/** How often a scheduled rule acts: minutes between checks or runs (fractions allowed: 0.5 is 30 seconds). */
export interface AlertSchedule {
  everyMinutes: number;
}

/**
 * A metric alert: fires when a logged metric crosses the threshold in its scope; it may run a
 * pipeline when it fires, and may also re-evaluate the latest values on a timer.
 */
export interface MetricAlertRule {
  id: string;
  /** Metric key, as logged (`val_accuracy`). */
  metric: string;
  comparison: Comparison;
  threshold: number;
  scope: AlertScope;
  trigger?: AlertTrigger;
  /** Evaluate the latest values on a timer as well as when a metric is logged. */
  schedule?: AlertSchedule;
}

/** A scheduled run: no metric; runs its pipeline every `schedule.everyMinutes` while VS Code is open. */
export interface ScheduledRunRule {
  id: string;
  metric?: undefined;
  comparison?: undefined;
  threshold?: undefined;
  scope?: undefined;
  trigger: AlertTrigger;
  schedule: AlertSchedule;
}

export type AlertRule = MetricAlertRule | ScheduledRunRule;

export function isMetricRule(rule: AlertRule): rule is MetricAlertRule {
  return rule.metric !== undefined;
}

export function isScheduledRun(rule: AlertRule): rule is ScheduledRunRule {
  return rule.metric === undefined;
}

/** A logged metric value, as rules see it. */
export interface MetricObservation {
  experimentId: string;
  runId?: string;
  /** The registered model the run produced a version of, when there is one. */
  modelName?: string;
  key: string;
  value: number;
}

export const comparisons: readonly Comparison[] = ['>', '>=', '<', '<=', '==', '!='];

const ruleFields = ['id', 'metric', 'comparison', 'threshold', 'scope', 'trigger', 'schedule'];
const scopeFields: Record<AlertScope['kind'], string[]> = { experiment: ['kind', 'experimentId'], model: ['kind', 'name'], all: ['kind'] };
const fileFields = ['rules', '$schema'];

/**
 * Checks the contents of `.trackside/alerts.json` — `{ "rules": [ … ] }` or a bare array of
 * rules — and returns the rules, or every problem found, one message per field, such as
 * `rules[1].comparison: expected one of >, >=, <, <=, ==, != but found "=>" (a string)`.
 */
export function validateRules(json: unknown): { rules: AlertRule[] } | { errors: string[] } {
  const errors: string[] = [];
  let list: unknown;
  if (Array.isArray(json)) {
    list = json;
  } else if (isObject(json)) {
    checkUnknownFields(json, fileFields, '', errors);
    list = json.rules;
    if (list === undefined) {
      return { errors: [...errors, 'rules: missing; the file needs a "rules" array, e.g. { "rules": [] }'] };
    }
    if (!Array.isArray(list)) {
      return { errors: [...errors, `rules: expected an array of rules but found ${describe(list)}`] };
    }
  } else {
    return { errors: [`expected an object with a "rules" array but found ${describe(json)}`] };
  }
  const rules: AlertRule[] = [];
  const idPlaces = new Map<string, string>();
  (list as unknown[]).forEach((entry, index) => {
    const path = `rules[${index}]`;
    const rule = validateRule(entry, path, errors);
    if (rule === undefined) {
      return;
    }
    const earlier = idPlaces.get(rule.id);
    if (earlier !== undefined) {
      errors.push(`${path}.id: "${rule.id}" is already the id of ${earlier}; ids must be unique`);
      return;
    }
    idPlaces.set(rule.id, path);
    rules.push(rule);
  });
  return errors.length > 0 ? { errors } : { rules };
}

function validateRule(entry: unknown, path: string, errors: string[]): AlertRule | undefined {
  if (!isObject(entry)) {
    errors.push(`${path}: expected a rule object but found ${describe(entry)}`);
    return undefined;
  }
  const before = errors.length;
  checkUnknownFields(entry, ruleFields, path, errors);
  const id = requireText(entry, 'id', path, errors);
  // metric, comparison and threshold come together (a metric alert) or not at all (a scheduled run).
  const metricRule = entry.metric !== undefined || entry.comparison !== undefined || entry.threshold !== undefined;
  let metric: string | undefined;
  if (metricRule && entry.metric === undefined) {
    errors.push(`${path}.metric: missing; a rule with a comparison or a threshold needs the metric key they apply to (or remove them for a scheduled run)`);
  } else if (metricRule) {
    metric = requireText(entry, 'metric', path, errors);
  }
  const comparison = entry.comparison;
  if (!metricRule) {
    // A scheduled run: checked below.
  } else if (comparison === undefined) {
    errors.push(`${path}.comparison: missing; use one of ${comparisons.join(', ')}`);
  } else if (typeof comparison !== 'string' || !(comparisons as readonly string[]).includes(comparison)) {
    errors.push(`${path}.comparison: expected one of ${comparisons.join(', ')} but found ${describe(comparison)}`);
  }
  const threshold = entry.threshold;
  if (!metricRule) {
    // A scheduled run: checked below.
  } else if (threshold === undefined) {
    errors.push(`${path}.threshold: missing; give the number to compare the metric with`);
  } else if (typeof threshold !== 'number' || !Number.isFinite(threshold)) {
    const hint = typeof threshold === 'string' && Number.isFinite(Number(threshold)) && threshold.trim() !== '' ? ` (write ${Number(threshold)} without quotes)` : '';
    errors.push(`${path}.threshold: expected a number but found ${describe(threshold)}${hint}`);
  }
  let scope: AlertScope | undefined;
  if (metricRule) {
    scope = validateScope(entry.scope, `${path}.scope`, errors);
  } else if (entry.scope !== undefined) {
    errors.push(`${path}.scope: a rule without a metric watches no runs; remove the scope, or add metric, comparison and threshold to make it an alert`);
  }
  const trigger = entry.trigger === undefined ? undefined : validateTrigger(entry.trigger, `${path}.trigger`, errors);
  const schedule = entry.schedule === undefined ? undefined : validateSchedule(entry.schedule, `${path}.schedule`, errors);
  if (!metricRule) {
    if (entry.schedule === undefined) {
      errors.push(`${path}.schedule: missing; a rule without a metric is a scheduled run and needs { "everyMinutes": 1440 } (or give metric, comparison and threshold to make it an alert)`);
    }
    if (entry.trigger === undefined) {
      errors.push(`${path}.trigger: missing; a rule without a metric is a scheduled run and needs the pipeline to run, e.g. { "pipeline": "pipelines/train.py" }`);
    }
  }
  if (errors.length > before) {
    return undefined;
  }
  if (!metricRule) {
    return { id: id as string, trigger: trigger as AlertTrigger, schedule: schedule as AlertSchedule };
  }
  const rule: MetricAlertRule = { id: id as string, metric: metric as string, comparison: comparison as Comparison, threshold: threshold as number, scope: scope as AlertScope };
  if (trigger !== undefined) {
    rule.trigger = trigger;
  }
  if (schedule !== undefined) {
    rule.schedule = schedule;
  }
  return rule;
}

function validateScope(scope: unknown, path: string, errors: string[]): AlertScope | undefined {
  if (scope === undefined) {
    errors.push(`${path}: missing; use { "kind": "all" }, { "kind": "experiment", "experimentId": "1" } or { "kind": "model", "name": "churn" }`);
    return undefined;
  }
  if (!isObject(scope)) {
    errors.push(`${path}: expected an object such as { "kind": "all" } but found ${describe(scope)}`);
    return undefined;
  }
  const kind = scope.kind;
  if (kind !== 'experiment' && kind !== 'model' && kind !== 'all') {
    errors.push(`${path}.kind: expected "experiment", "model" or "all" but found ${describe(kind)}`);
    return undefined;
  }
  checkUnknownFields(scope, scopeFields[kind], path, errors);
  if (kind === 'experiment') {
    const experimentId = scope.experimentId;
    if (typeof experimentId === 'number' && Number.isInteger(experimentId)) {
      errors.push(`${path}.experimentId: expected a string but found ${experimentId} (a number); write "${experimentId}"`);
      return undefined;
    }
    const text = requireText(scope, 'experimentId', path, errors);
    return text === undefined ? undefined : { kind, experimentId: text };
  }
  if (kind === 'model') {
    const name = requireText(scope, 'name', path, errors);
    return name === undefined ? undefined : { kind, name };
  }
  return { kind };
}

function validateTrigger(trigger: unknown, path: string, errors: string[]): AlertTrigger | undefined {
  if (!isObject(trigger)) {
    errors.push(`${path}: expected an object { "pipeline": "…", "parameters": { … } } but found ${describe(trigger)}`);
    return undefined;
  }
  checkUnknownFields(trigger, ['pipeline', 'parameters'], path, errors);
  const pipeline = requireText(trigger, 'pipeline', path, errors);
  const parameters: Record<string, string> = {};
  const given = trigger.parameters ?? {};
  if (!isObject(given)) {
    errors.push(`${path}.parameters: expected an object of texts such as { "epochs": "10" } but found ${describe(given)}`);
    return undefined;
  }
  let valid = true;
  for (const [name, value] of Object.entries(given)) {
    if (typeof value === 'string') {
      parameters[name] = value;
      continue;
    }
    valid = false;
    const hint = typeof value === 'number' || typeof value === 'boolean' ? `; write "${String(value)}"` : '';
    errors.push(`${path}.parameters.${name}: expected a string but found ${describe(value)}${hint}`);
  }
  return pipeline === undefined || !valid ? undefined : { pipeline, parameters };
}

function validateSchedule(schedule: unknown, path: string, errors: string[]): AlertSchedule | undefined {
  if (!isObject(schedule)) {
    errors.push(`${path}: expected an object such as { "everyMinutes": 15 } but found ${describe(schedule)}`);
    return undefined;
  }
  checkUnknownFields(schedule, ['everyMinutes'], path, errors);
  const everyMinutes = schedule.everyMinutes;
  if (typeof everyMinutes !== 'number' || !Number.isFinite(everyMinutes) || everyMinutes <= 0) {
    const hint = typeof everyMinutes === 'string' && Number(everyMinutes) > 0 ? ` (write ${Number(everyMinutes)} without quotes)` : '';
    errors.push(`${path}.everyMinutes: expected a number of minutes greater than 0 (0.5 is 30 seconds) but found ${describe(everyMinutes)}${hint}`);
    return undefined;
  }
  return { everyMinutes };
}

/** `every 1440 minutes`, `every 1 minute`, `every 0.5 minutes`. */
export function describeSchedule(schedule: AlertSchedule): string {
  return `every ${schedule.everyMinutes} minute${schedule.everyMinutes === 1 ? '' : 's'}`;
}

/** Whether the rule applies to this observation (its metric and scope) and its condition holds. */
export function evaluate(rule: AlertRule, observation: MetricObservation): boolean {
  return isMetricRule(rule) && matchesRule(rule, observation) && compare(observation.value, rule.comparison, rule.threshold);
}

/** Whether the rule watches this observation's metric in this observation's scope. */
export function matchesRule(rule: AlertRule, observation: MetricObservation): boolean {
  if (!isMetricRule(rule) || observation.key !== rule.metric) {
    return false;
  }
  switch (rule.scope.kind) {
    case 'all':
      return true;
    case 'experiment':
      return observation.experimentId === rule.scope.experimentId;
    case 'model':
      return observation.modelName === rule.scope.name;
  }
}

/** `value <comparison> threshold`; never true for NaN. */
export function compare(value: number, comparison: Comparison, threshold: number): boolean {
  if (Number.isNaN(value)) {
    return false;
  }
  switch (comparison) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

/** One line for a notification: `Rule "acc-drop": val_accuracy = 0.71 (< 0.8) in run abc, experiment 3.` */
export function describeFiring(rule: MetricAlertRule, observation: MetricObservation): string {
  const where = [observation.runId === undefined ? undefined : `run ${observation.runId}`, `experiment ${observation.experimentId}`];
  if (observation.modelName !== undefined) {
    where.push(`model ${observation.modelName}`);
  }
  return `Rule "${rule.id}": ${observation.key} = ${observation.value} (${rule.comparison} ${rule.threshold}) in ${where.filter(Boolean).join(', ')}.`;
}

function requireText(object: Record<string, unknown>, field: string, path: string, errors: string[]): string | undefined {
  const value = object[field];
  if (value === undefined) {
    errors.push(`${path}.${field}: missing; expected a non-empty string`);
    return undefined;
  }
  if (typeof value !== 'string' || value.trim().length === 0) {
    errors.push(`${path}.${field}: expected a non-empty string but found ${describe(value)}`);
    return undefined;
  }
  return value;
}

function checkUnknownFields(object: Record<string, unknown>, known: readonly string[], path: string, errors: string[]): void {
  for (const field of Object.keys(object)) {
    if (known.includes(field)) {
      continue;
    }
    const suggestion = known.find((name) => editDistance(name.toLowerCase(), field.toLowerCase()) <= 2);
    const hint = suggestion === undefined ? `; known fields: ${known.join(', ')}` : `; did you mean "${suggestion}"?`;
    errors.push(`${path === '' ? '' : `${path}.`}${field}: unknown field${hint}`);
  }
}

function describe(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  if (typeof value === 'object') {
    return 'an object';
  }
  const text = JSON.stringify(value);
  return `${text.length > 40 ? `${text.slice(0, 40)}…` : text} (a ${typeof value})`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    previous = row;
  }
  return previous[b.length];
}
