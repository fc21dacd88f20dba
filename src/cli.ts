import { UsageError, formatHelp, parseArgs } from './cli/argParser';
import { artifactsCommand } from './cli/artifactsCommand';
import type { CliCommand, CliIo } from './cli/cliCommand';
import { isCommandGroup, runCommandGroup, type CliCommandGroup } from './cli/commandGroup';
import { experimentsCommand } from './cli/experimentsCommand';
import { gcCommand } from './cli/gcCommand';
import { modelsCommand } from './cli/modelsCommand';
import { importCommand } from './cli/importCommand';
import { monitorCommand } from './cli/monitorCommand';
import { pushCommand } from './cli/pushCommand';
import { runProjectCommand } from './cli/runProjectCommand';
import { runsCommand } from './cli/runsCommand';
import { serverCommand } from './cli/serverCommand';
import { sqlCommand } from './cli/sqlCommand';
import { TrackingClientError } from './core/client/trackingClientError';
import { TrackingError } from './core/store/trackingError';

/** The `trackside` command line: the same engine as the extension, in-process or over HTTP. */
const COMMANDS: (CliCommand | CliCommandGroup)[] = [serverCommand, experimentsCommand, runsCommand, runProjectCommand, artifactsCommand, modelsCommand, monitorCommand, importCommand, pushCommand, sqlCommand, gcCommand];

const io: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

function nameOf(command: CliCommand | CliCommandGroup): string {
  return isCommandGroup(command) ? command.name : command.spec.name;
}

function summaryOf(command: CliCommand | CliCommandGroup): string {
  return isCommandGroup(command) ? command.summary : command.spec.summary;
}

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => nameOf(c).length));
  return [
    "Trackside: MLflow's tracking and registry on an embedded store.",
    '',
    'Usage: trackside <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${nameOf(c).padEnd(width)}  ${summaryOf(c)}`),
    '',
    "Run 'trackside <command> --help' for a command's options.",
  ].join('\n');
}

/**
 * Runs one command line. Exit codes: 0 done, 1 the server or store refused or failed (the message
 * on stderr carries MLflow's error code), 2 a usage error.
 */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp());
    return 0;
  }
  if (name === '--version') {
    io.out(process.env.TRACKSIDE_VERSION ?? '0.1.0');
    return 0;
  }
  const command = COMMANDS.find((c) => nameOf(c) === name);
  if (!command) {
    io.err(`trackside: unknown command '${name}'.\n\n${mainHelp()}`);
    return 2;
  }
  const words = isCommandGroup(command) ? rest.slice(0, 2) : [];
  const leading = words.slice(0, Math.max(0, words.findIndex((w) => w.startsWith('-')) === -1 ? words.length : words.findIndex((w) => w.startsWith('-'))));
  const label = [name, ...leading].join(' ');
  try {
    if (isCommandGroup(command)) return await runCommandGroup(command, rest, io);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(formatHelp(command.spec));
      return 0;
    }
    return await command.run(parseArgs(rest, command.spec), io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`trackside ${label}: ${e.message}`);
      return 2;
    }
    if (e instanceof TrackingClientError) {
      io.err(`trackside ${label}: ${e.errorCode}: ${e.message}`);
      return 1;
    }
    if (e instanceof TrackingError) {
      io.err(`trackside ${label}: ${e.code}: ${e.message}`);
      return 1;
    }
    io.err(`trackside ${label}: ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  // Exit once stdout has drained: a pipe may still hold a large --json or CSV answer.
  runCli(process.argv.slice(2)).then((code) => process.stdout.write('', () => process.exit(code)));
}
