import { UsageError, formatHelp, parseArgs } from './cli/argParser';
import type { CliCommand, CliIo } from './cli/cliCommand';
import { gcCommand } from './cli/gcCommand';
import { serverCommand } from './cli/serverCommand';
import { TrackingError } from './core/store/trackingError';

/** The `trackside` command line: the same engine as the extension, in-process. */
const COMMANDS: CliCommand[] = [serverCommand, gcCommand];

const io: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length));
  return [
    "Trackside: MLflow's tracking and registry on an embedded store.",
    '',
    'Usage: trackside <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}  ${c.spec.summary}`),
    '',
    "Run 'trackside <command> --help' for a command's options.",
  ].join('\n');
}

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
  const command = COMMANDS.find((c) => c.spec.name === name);
  if (!command) {
    io.err(`trackside: unknown command '${name}'.\n\n${mainHelp()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(formatHelp(command.spec));
    return 0;
  }
  try {
    return await command.run(parseArgs(rest, command.spec), io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`trackside ${name}: ${e.message}`);
      return 2;
    }
    if (e instanceof TrackingError) {
      io.err(`trackside ${name}: ${e.code}: ${e.message}`);
      return 1;
    }
    io.err(`trackside ${name}: ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
