import path from 'node:path';
import { coerceParameterInput, type PipelineParameter } from '../pipelines/parametersCell';
import { describeSchedule, validateRules, type AlertRule, type Comparison } from './alertRules';

/**
 * Editing `.trackside/alerts.json` without a person writing JSON ("Add Alert Rule…", "Remove
 * Alert Rule…"): a rule is spliced into, or cut out of, the file's text, so the other rules keep
 * their formatting; plus the checks and defaults the prompts use. No `vscode` here.
 */

interface Span {
  start: number;
  end: number;
}

/** Where the rule list is in the text: its brackets and each element. */
interface RulesArray {
  open: number;
  close: number;
  elements: Span[];
}

/** A new file's text with this one rule. */
export function newAlertsText(rule: AlertRule): string {
  return `{\n  "rules": [\n    ${formatRule(rule, '    ', '  ')}\n  ]\n}\n`;
}

/**
 * The file's text with the rule appended to its rule list (a missing or blank file becomes a new
 * one), and the 0-based line where the rule starts. Refuses text that is not JSON, a rule list that
 * is not there, and an id already used in the file.
 */
export function addRuleToText(text: string | undefined, rule: AlertRule): { text: string; line: number } | { error: string } {
  if (text === undefined || text.trim() === '') {
    return { text: newAlertsText(rule), line: 2 };
  }
  const located = locateRules(text);
  if ('error' in located) return located;
  if (ruleIdsInText(text).includes(rule.id)) {
    return { error: `.trackside/alerts.json already has a rule "${rule.id}"; choose another id` };
  }
  const unit = indentUnit(text);
  const { open, close, elements } = located;
  let insertAt: number;
  let inserted: string;
  let elementIndent: string;
  if (elements.length === 0) {
    const outer = lineIndent(text, open);
    elementIndent = outer + unit;
    insertAt = open + 1;
    inserted = `\n${elementIndent}${formatRule(rule, elementIndent, unit)}\n${outer}`;
    // Whatever was between the brackets is whitespace: it is replaced.
    text = text.slice(0, open + 1) + text.slice(close);
  } else {
    const last = elements[elements.length - 1];
    const first = elements[0];
    elementIndent = startsLine(text, first.start) ? lineIndent(text, first.start) : lineIndent(text, open) + unit;
    insertAt = last.end;
    inserted = `,\n${elementIndent}${formatRule(rule, elementIndent, unit)}`;
  }
  const result = text.slice(0, insertAt) + inserted + text.slice(insertAt);
  const ruleStart = insertAt + inserted.indexOf('{');
  return { text: result, line: lineOf(result, ruleStart) };
}

/** The file's text without the (first) rule with this id. */
export function removeRuleFromText(text: string, ruleId: string): { text: string } | { error: string } {
  const located = locateRules(text);
  if ('error' in located) return located;
  const { open, close, elements } = located;
  const index = elements.findIndex((element) => idOf(text.slice(element.start, element.end)) === ruleId);
  if (index === -1) {
    return { error: `.trackside/alerts.json has no rule "${ruleId}"` };
  }
  if (elements.length === 1) {
    return { text: text.slice(0, open + 1) + text.slice(close) };
  }
  const element = elements[index];
  if (index < elements.length - 1) {
    // Up to the next element: the comma and the line break go with it.
    const next = elements[index + 1];
    return { text: text.slice(0, element.start) + text.slice(next.start) };
  }
  const previous = elements[index - 1];
  return { text: text.slice(0, previous.end) + text.slice(element.end) };
}

/** The ids of the rules in the file's text (entries with a string id), in order; [] when it is not JSON. */
export function ruleIdsInText(text: string): string[] {
  const located = locateRules(text);
  if ('error' in located) return [];
  return located.elements.map((element) => idOf(text.slice(element.start, element.end))).filter((id): id is string => id !== undefined);
}

/** The entries of the rule list as written (what "Remove Alert Rule…" offers): id and the parsed value. */
export function ruleEntriesInText(text: string): { id: string; value: unknown }[] | { error: string } {
  const located = locateRules(text);
  if ('error' in located) return located;
  const entries: { id: string; value: unknown }[] = [];
  for (const element of located.elements) {
    const value: unknown = JSON.parse(text.slice(element.start, element.end));
    const id = isObject(value) && typeof value.id === 'string' ? value.id : undefined;
    if (id !== undefined) entries.push({ id, value });
  }
  return entries;
}

/**
 * One rule as JSON, one field a line in the usual order (a scheduled run: id, schedule, trigger), the small objects (scope, trigger,
 * schedule) on their field's line: `indent` is the rule's own indentation, `unit` one level more.
 */
export function formatRule(rule: AlertRule, indent = '', unit = '  '): string {
  const record = rule as unknown as Record<string, unknown>;
  // A scheduled run reads as it works: every N minutes, run this pipeline.
  const order = record.metric === undefined ? ['id', 'schedule', 'trigger'] : ['id', 'metric', 'comparison', 'threshold', 'scope', 'trigger', 'schedule'];
  const lines = order.filter((field) => record[field] !== undefined).map((field) => `${indent}${unit}${JSON.stringify(field)}: ${inlineJson(record[field])}`);
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

/** JSON on one line with spaces inside braces: `{ "kind": "all" }`. */
export function inlineJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(inlineJson).join(', ')}]`;
  }
  if (isObject(value)) {
    const entries = Object.entries(value).filter(([, entry]) => entry !== undefined);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([key, entry]) => `${JSON.stringify(key)}: ${inlineJson(entry)}`).join(', ')} }`;
  }
  return JSON.stringify(value);
}

/**
 * Checks a rule given as an object (the commands' argument, or what the prompts built) against the
 * file's other ids: the rule, or its problems without the `rules[0].` prefix.
 */
export function checkNewRule(candidate: unknown, takenIds: readonly string[]): { rule: AlertRule } | { errors: string[] } {
  const checked = validateRules([candidate]);
  if ('errors' in checked) {
    return { errors: checked.errors.map((problem) => problem.replace(/^rules\[0\]\.?/, '').replace(/^: /, '')) };
  }
  const rule = checked.rules[0];
  if (takenIds.includes(rule.id)) {
    return { errors: [`id: "${rule.id}" is already the id of a rule in .trackside/alerts.json; ids must be unique`] };
  }
  return { rule };
}

const comparisonWords: Record<Comparison, string> = { '>': 'above', '>=': 'at-least', '<': 'below', '<=': 'at-most', '==': 'equals', '!=': 'not' };

/** What a comparison means, for the prompts: `> (above)`. */
export const comparisonMeanings: Record<Comparison, string> = {
  '>': 'above the threshold',
  '>=': 'at or above the threshold',
  '<': 'below the threshold',
  '<=': 'at or below the threshold',
  '==': 'equal to the threshold',
  '!=': 'different from the threshold',
};

/** An id for a new rule, unused in the file: `val_loss-above-0.9`, `train-every-1440m` (then `-2`, `-3`…). */
export function suggestRuleId(rule: { metric?: string; comparison?: Comparison; threshold?: number; trigger?: { pipeline: string }; schedule?: { everyMinutes: number } }, takenIds: readonly string[]): string {
  // The fields may come from a caller and not be valid yet: only what has the right type is used.
  let base: string;
  if (typeof rule.metric === 'string') {
    const word = typeof rule.comparison === 'string' ? comparisonWords[rule.comparison] : undefined;
    base = [rule.metric, word, typeof rule.threshold === 'number' ? rule.threshold : undefined].filter((part) => part !== undefined).join('-');
  } else {
    const pipeline = rule.trigger?.pipeline;
    const script = typeof pipeline === 'string' ? path.posix.basename(pipeline.replace(/\\/g, '/')).replace(/\.py$/i, '') : 'scheduled';
    base = typeof rule.schedule?.everyMinutes === 'number' ? `${script}-every-${rule.schedule.everyMinutes}m` : script;
  }
  base = base.replace(/\s+/g, '-') || 'rule';
  let id = base;
  for (let suffix = 2; takenIds.includes(id); suffix++) {
    id = `${base}-${suffix}`;
  }
  return id;
}

/** Why a typed id cannot be used (undefined when it can). */
export function ruleIdProblem(text: string, takenIds: readonly string[]): string | undefined {
  if (text.trim() === '') return 'Give the rule an id (it names the run tag trackside.alert.<id>).';
  if (text !== text.trim()) return 'No spaces at the start or end, please.';
  if (takenIds.includes(text)) return `A rule "${text}" exists already; ids must be unique.`;
  return undefined;
}

/** A typed threshold as a number, or why it is not one. */
export function parseThreshold(text: string): { value: number } | { error: string } {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (trimmed === '' || !Number.isFinite(value)) return { error: `Type a number such as 0.9 or 1e-3${trimmed === '' ? '' : `, not "${trimmed}"`}.` };
  return { value };
}

/** Typed minutes as a number greater than 0, or why they are not. */
export function parseMinutes(text: string): { value: number } | { error: string } {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (trimmed === '' || !Number.isFinite(value) || value <= 0) return { error: `Type a number of minutes greater than 0 (1440 is a day, 0.5 is 30 seconds)${trimmed === '' ? '' : `, not "${trimmed}"`}.` };
  return { value };
}

/**
 * Reads `name=value, name=value` (commas inside brackets or quotes do not split) into the texts a
 * trigger's `parameters` hold. With the parameters cell's parameters, each value must fit its type,
 * as the run would check it. Empty text is no parameters.
 */
export function parseParameterAssignments(text: string, declared: readonly PipelineParameter[] = []): { parameters: Record<string, string> } | { error: string } {
  const parameters: Record<string, string> = {};
  const byName = new Map(declared.map((parameter) => [parameter.name, parameter]));
  for (const piece of splitTopLevel(text, ',')) {
    const assignment = piece.trim();
    if (assignment === '') continue;
    const equals = assignment.indexOf('=');
    if (equals === -1) return { error: `"${assignment}" is not name=value.` };
    const name = assignment.slice(0, equals).trim();
    const value = assignment.slice(equals + 1).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return { error: `"${name}" is not a Python variable name.` };
    if (name in parameters) return { error: `${name} is given twice.` };
    const parameter = byName.get(name);
    if (parameter !== undefined) {
      const coerced = coerceParameterInput(parameter, value);
      if ('error' in coerced) return { error: coerced.error };
    }
    parameters[name] = value;
  }
  return { parameters };
}

/** `name=value, name=value`, as `parseParameterAssignments` reads it. */
export function formatParameterAssignments(parameters: Readonly<Record<string, string>>): string {
  return Object.entries(parameters)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
}

/** One line about a rule, for a quick pick: `val_loss > 0.9 · all runs · runs pipelines/train.py`. */
export function summarizeRule(value: unknown): string {
  if (!isObject(value)) return '';
  const parts: string[] = [];
  const rule = value as Partial<Record<keyof AlertRule, unknown>> & Record<string, unknown>;
  if (rule.metric !== undefined) {
    parts.push(`${String(rule.metric)} ${String(rule.comparison ?? '?')} ${String(rule.threshold ?? '?')}`);
    const scope = isObject(rule.scope) ? rule.scope : undefined;
    if (scope?.kind === 'experiment') parts.push(`experiment ${String(scope.experimentId)}`);
    else if (scope?.kind === 'model') parts.push(`model ${String(scope.name)}`);
    else if (scope?.kind === 'all') parts.push('all runs');
  }
  const schedule = isObject(rule.schedule) && typeof rule.schedule.everyMinutes === 'number' ? describeSchedule({ everyMinutes: rule.schedule.everyMinutes }) : undefined;
  if (schedule !== undefined) parts.push(rule.metric === undefined ? `runs ${schedule}` : `checked ${schedule}`);
  const trigger = isObject(rule.trigger) && typeof rule.trigger.pipeline === 'string' ? rule.trigger.pipeline : undefined;
  if (trigger !== undefined) parts.push(`${rule.metric === undefined ? '' : 'runs '}${trigger}`.trim());
  return parts.join(' · ');
}

// ---- A small scanner over JSON text (the text has been through JSON.parse first) ----

function locateRules(text: string): RulesArray | { error: string } {
  try {
    JSON.parse(text);
  } catch (error) {
    return { error: `.trackside/alerts.json is not valid JSON (${(error as Error).message}); fix it first` };
  }
  let index = skipSpace(text, 0);
  if (text[index] === '[') {
    return arrayAt(text, index);
  }
  if (text[index] !== '{') {
    return { error: '.trackside/alerts.json is not an object with a "rules" array; fix it first' };
  }
  index = skipSpace(text, index + 1);
  while (text[index] !== '}') {
    const keyEnd = skipValue(text, index);
    const key: unknown = JSON.parse(text.slice(index, keyEnd));
    index = skipSpace(text, skipSpace(text, keyEnd) + 1);
    if (key === 'rules') {
      if (text[index] !== '[') return { error: '.trackside/alerts.json: "rules" is not an array; fix it first' };
      return arrayAt(text, index);
    }
    index = skipSpace(text, skipValue(text, index));
    if (text[index] === ',') index = skipSpace(text, index + 1);
  }
  return { error: '.trackside/alerts.json has no "rules" array; add "rules": [] first' };
}

function arrayAt(text: string, open: number): RulesArray {
  const elements: Span[] = [];
  let index = skipSpace(text, open + 1);
  while (text[index] !== ']') {
    const end = skipValue(text, index);
    elements.push({ start: index, end });
    index = skipSpace(text, end);
    if (text[index] === ',') index = skipSpace(text, index + 1);
  }
  return { open, close: index, elements };
}

/** The index just after the JSON value starting at `index`. */
function skipValue(text: string, index: number): number {
  const first = text[index];
  if (first === '"') {
    for (let at = index + 1; at < text.length; at++) {
      if (text[at] === '\\') at++;
      else if (text[at] === '"') return at + 1;
    }
    return text.length;
  }
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let at = index; at < text.length; at++) {
      const character = text[at];
      if (character === '"') {
        at = skipValue(text, at) - 1;
      } else if (character === '{' || character === '[') {
        depth++;
      } else if (character === '}' || character === ']') {
        depth--;
        if (depth === 0) return at + 1;
      }
    }
    return text.length;
  }
  let at = index;
  while (at < text.length && !/[\s,\]}:]/.test(text[at])) at++;
  return at;
}

function skipSpace(text: string, index: number): number {
  while (index < text.length && /\s/.test(text[index])) index++;
  return index;
}

/** The leading whitespace of the line holding `index`. */
function lineIndent(text: string, index: number): string {
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

function startsLine(text: string, index: number): boolean {
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  return text.slice(lineStart, index).trim() === '';
}

/** The file's indentation step: that of its first indented line (two spaces when none is). */
function indentUnit(text: string): string {
  const match = /\n([ \t]+)\S/.exec(text);
  return match ? match[1] : '  ';
}

function lineOf(text: string, index: number): number {
  let line = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < index; at = text.indexOf('\n', at + 1)) line++;
  return line;
}

function idOf(elementText: string): string | undefined {
  const value: unknown = JSON.parse(elementText);
  return isObject(value) && typeof value.id === 'string' ? value.id : undefined;
}

/** Splits at `separator` outside quotes and brackets. */
function splitTopLevel(text: string, separator: string): string[] {
  const pieces: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let current = '';
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (quote !== undefined) {
      current += character;
      if (character === '\\' && index + 1 < text.length) current += text[++index];
      else if (character === quote) quote = undefined;
      continue;
    }
    if (character === '"' || character === "'") quote = character;
    else if ('[{('.includes(character)) depth++;
    else if (']})'.includes(character)) depth = Math.max(0, depth - 1);
    else if (character === separator && depth === 0) {
      pieces.push(current);
      current = '';
      continue;
    }
    current += character;
  }
  pieces.push(current);
  return pieces;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
