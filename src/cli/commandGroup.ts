import { UsageError, formatHelp, parseArgs, type ParsedArgs } from './argParser';
import type { CliCommand, CliIo } from './cliCommand';

/** A command with subcommands: `trackside experiments search …`, like `mlflow experiments search`. */
export interface CliCommandGroup {
  name: string;
  summary: string;
  /** Commands, or groups of their own (`trackside models versions list`). */
  subcommands: (CliCommand | CliCommandGroup)[];
  /** Lines shown under the subcommands in the group's help (shared options, environment). */
  notes?: string[];
}

export function isCommandGroup(command: CliCommand | CliCommandGroup): command is CliCommandGroup {
  return 'subcommands' in command;
}

/** The full name of a command or group (`models versions`). */
function fullName(command: CliCommand | CliCommandGroup): string {
  return isCommandGroup(command) ? command.name : command.spec.name;
}

/** The subcommand's own name (its spec is named `<group> <sub>` so messages read right). */
function subcommandName(group: CliCommandGroup, command: CliCommand | CliCommandGroup): string {
  return fullName(command).slice(group.name.length + 1);
}

export function formatGroupHelp(group: CliCommandGroup): string {
  const names = group.subcommands.map((c) => subcommandName(group, c));
  const width = Math.max(...names.map((n) => n.length));
  return [
    group.summary,
    '',
    `Usage: trackside ${group.name} <subcommand> [options]`,
    '',
    'Subcommands:',
    ...group.subcommands.map((c, i) => `  ${names[i].padEnd(width)}  ${isCommandGroup(c) ? c.summary : c.spec.summary}`),
    ...(group.notes?.length ? ['', ...group.notes] : []),
    '',
    `Run 'trackside ${group.name} <subcommand> --help' for its options.`,
  ].join('\n');
}

/**
 * Runs `trackside <group> <subcommand> [options]`: help for the group or the subcommand, and
 * usage errors (exit 2) for a missing or unknown subcommand.
 */
export async function runCommandGroup(group: CliCommandGroup, argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(formatGroupHelp(group));
    return 0;
  }
  if (!sub) {
    io.err(`trackside ${group.name}: missing subcommand.\n\n${formatGroupHelp(group)}`);
    return 2;
  }
  const command = group.subcommands.find((c) => subcommandName(group, c) === sub);
  if (!command) {
    io.err(`trackside ${group.name}: unknown subcommand '${sub}'.\n\n${formatGroupHelp(group)}`);
    return 2;
  }
  if (isCommandGroup(command)) return runCommandGroup(command, rest, io);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(formatHelp(command.spec));
    return 0;
  }
  const args: ParsedArgs = parseArgs(rest, command.spec);
  if (args.positionals.length > 0) {
    throw new UsageError(`Unexpected argument '${args.positionals[0]}'. Run 'trackside ${command.spec.name} --help'.`);
  }
  return command.run(args, io);
}
