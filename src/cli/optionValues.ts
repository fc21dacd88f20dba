import type { ViewType } from '../shared/entities';
import { UsageError, optionString, type ParsedArgs } from './argParser';

/** A required option's value; a usage error (exit 2) naming it when absent. */
export function requireOption(args: ParsedArgs, name: string): string {
  const value = optionString(args, name);
  if (value === undefined || value.trim() === '') throw new UsageError(`Missing option --${name}.`);
  return value;
}

/** A positive whole number option, or undefined when not given. */
export function positiveInteger(args: ParsedArgs, name: string): number | undefined {
  const text = optionString(args, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new UsageError(`--${name} must be a positive whole number, got '${text}'.`);
  return value;
}

const VIEWS: Record<string, ViewType> = { active: 'ACTIVE_ONLY', deleted: 'DELETED_ONLY', all: 'ALL' };

/** `--view active|deleted|all` (MLflow's names ACTIVE_ONLY, DELETED_ONLY, ALL are accepted too). */
export function viewOption(args: ParsedArgs, name = 'view'): ViewType {
  const text = optionString(args, name);
  if (text === undefined) return 'ACTIVE_ONLY';
  const view = VIEWS[text.toLowerCase()] ?? (Object.values(VIEWS) as string[]).find((v) => v === text.toUpperCase());
  if (!view) throw new UsageError(`--${name} must be active, deleted or all, got '${text}'.`);
  return view as ViewType;
}

/** A flag's presence. */
export function flag(args: ParsedArgs, name: string): boolean {
  return args.options[name] === true;
}
