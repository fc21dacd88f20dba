import fs from 'node:fs';
import path from 'node:path';
import { optionString, type ParsedArgs } from './argParser';
import type { CliCommand, CliIo } from './cliCommand';
import { CONNECTION_OPTIONS, withClient } from './clientConnection';
import { findInterpreter } from '../core/pipelines/findInterpreter';
import { parseParameterAssignments } from '../core/projects/projectParameters';
import { runProject, type ProjectOutputStream } from '../core/projects/projectRunner';

/** The bundled `trackside` Python module shipped beside the CLI (`dist/python`), if present. */
function bundledPythonPath(): string | undefined {
  const folder = path.join(__dirname, 'python');
  return fs.existsSync(path.join(folder, 'trackside')) ? folder : undefined;
}

function parameterList(args: ParsedArgs): string[] {
  const value = args.options['param-list'];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

function write(chunk: string, stream: ProjectOutputStream): void {
  (stream === 'stdout' ? process.stdout : process.stderr).write(chunk);
}

/**
 * `trackside run [PATH] -e ENTRY -P name=value…`: runs an MLflow project entry point as a tracked
 * run, like `mlflow run` with the local environment. The command's output goes to stdout and
 * stderr, Ctrl-C stops it (the run ends KILLED), and the exit code is the command's.
 */
export const runProjectCommand: CliCommand = {
  spec: {
    name: 'run',
    summary: 'Run an MLproject entry point (or a script) as a tracked run, like `mlflow run`.',
    usage: 'trackside run [PATH] [-e ENTRY] [-P NAME=VALUE]… [--experiment-name X | --experiment-id ID] [--run-name N] [--python P]',
    options: [
      { name: 'entry-point', alias: 'e', value: 'ENTRY', description: "Entry point of the MLproject, or a script such as train.py (default: main)" },
      { name: 'param-list', alias: 'P', value: 'NAME=VALUE', repeat: true, description: 'A parameter of the entry point (repeat for each)' },
      { name: 'experiment-name', value: 'NAME', description: 'Experiment to log the run in, created when missing (default: $MLFLOW_EXPERIMENT_NAME, else Default)' },
      { name: 'experiment-id', value: 'ID', description: 'Experiment id to log the run in (default: $MLFLOW_EXPERIMENT_ID, else 0)' },
      { name: 'run-name', value: 'NAME', description: 'Name of the run (default: a generated one)' },
      { name: 'python', value: 'PATH', description: "Interpreter that 'python' means in the command (default: $TRACKSIDE_PYTHON, else python3)" },
      ...CONNECTION_OPTIONS,
    ],
  },
  async run(args, io: CliIo) {
    if (args.positionals.length > 1) {
      io.err(`trackside run: one project path at most, got ${args.positionals.map((p) => `'${p}'`).join(' ')}.`);
      return 2;
    }
    const projectDir = path.resolve(args.positionals[0] ?? '.');
    const parameters = parseParameterAssignments(parameterList(args));
    const interpreter = (await findInterpreter({ setting: optionString(args, 'python') ?? process.env.TRACKSIDE_PYTHON })).path;
    const controller = new AbortController();
    const onInterrupt = (): void => {
      if (controller.signal.aborted) io.err('trackside run: stopping… (the command gets SIGTERM, then SIGKILL, if it does not end)');
      controller.abort();
    };
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onInterrupt);
    try {
      const result = await withClient(args, io, (client) =>
        runProject({
          projectDir,
          entryPoint: optionString(args, 'entry-point'),
          parameters,
          parametersBaseDir: process.cwd(),
          experimentName: optionString(args, 'experiment-name'),
          experimentId: optionString(args, 'experiment-id'),
          runName: optionString(args, 'run-name'),
          client,
          interpreter,
          bundledPythonPath: bundledPythonPath(),
          onOutput: write,
          signal: controller.signal,
        }),
      );
      if (result.status === 'FINISHED') return 0;
      // A stopped command that still exited 0 (it handled Ctrl-C) is not a success: 130 as a shell says.
      return result.exitCode || (result.status === 'KILLED' ? 130 : 1);
    } finally {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onInterrupt);
    }
  },
};
