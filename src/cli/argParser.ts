/** A small, strict command-line parser: `--name value`, `--name=value`, `--flag`, `-x value`, positionals. */

export interface OptionSpec {
  name: string;
  alias?: string;
  /** Takes a value (else a boolean flag). */
  value?: string;
  /** May be given more than once (values collected in order). */
  repeat?: boolean;
  description: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  options: OptionSpec[];
}

export interface ParsedArgs {
  options: Record<string, string | boolean | string[]>;
  positionals: string[];
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseArgs(argv: readonly string[], spec: CommandSpec): ParsedArgs {
  const options: ParsedArgs['options'] = {};
  const positionals: string[] = [];
  const find = (token: string): OptionSpec | undefined =>
    token.startsWith('--') ? spec.options.find((o) => o.name === token.slice(2)) : spec.options.find((o) => o.alias === token.slice(1));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const token = eq > 0 ? arg.slice(0, eq) : arg;
    const option = find(token);
    if (!option) throw new UsageError(`Unknown option ${token} for '${spec.name}'. Run 'trackside ${spec.name} --help'.`);
    if (!option.value) {
      if (eq > 0) throw new UsageError(`Option --${option.name} takes no value.`);
      options[option.name] = true;
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`Option --${option.name} needs a value (${option.value}).`);
    if (option.repeat) {
      const list = (options[option.name] as string[] | undefined) ?? [];
      list.push(value);
      options[option.name] = list;
    } else options[option.name] = value;
  }
  return { options, positionals };
}

export function formatHelp(spec: CommandSpec): string {
  const rows = spec.options.map((o) => {
    const flag = `${o.alias ? `-${o.alias}, ` : '    '}--${o.name}${o.value ? ` ${o.value}` : ''}`;
    return `  ${flag.padEnd(34)} ${o.description}`;
  });
  return `${spec.summary}\n\nUsage: ${spec.usage}\n${rows.length ? `\nOptions:\n${rows.join('\n')}\n` : ''}`;
}

/** `30d`, `12h`, `15m`, `45s` or plain milliseconds → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new UsageError(`Invalid duration '${text}': use e.g. 30d, 12h, 15m, 45s.`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms']!;
  return Number(match[1]) * unit;
}

export function optionString(args: ParsedArgs, name: string): string | undefined {
  const v = args.options[name];
  return typeof v === 'string' ? v : undefined;
}

export function optionList(args: ParsedArgs, name: string): string[] {
  const v = args.options[name];
  if (Array.isArray(v)) return v.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
  return typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter(Boolean) : [];
}
