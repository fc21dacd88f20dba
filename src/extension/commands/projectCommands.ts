import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { getEntryPoint, resolveEntryPointParameters, type EntryPoint } from '../../core/projects/mlproject';
import { absolutePathValues, PARAMETERS_TAG, recordedParameters } from '../../core/projects/projectParameters';
import { runProject, type ProjectRunResult } from '../../core/projects/projectRunner';
import { loadProject, type LoadedProject } from '../../core/projects/projectSource';
import type { Run } from '../../shared/entities';
import type { ConnectionManager } from '../connection/connectionManager';
import { askParameters, findProjectFolders, pickEntryPoint, pickProjectFolder } from '../projects/projectPrompts';
import { ProjectTerminal } from '../projects/projectTerminal';
import { chooseInterpreter } from '../python/pythonInterpreter';
import type { RunNode } from '../trees/runTreeItems';
import { pickRun } from './pickers';
import { registerCommand } from './registerCommand';

/** What `trackside.runProjectEntryPoint` accepts to skip its prompts (tests, other commands, links). */
export interface RunProjectArguments {
  /** The project folder, its MLproject file, or a lone script. */
  projectDir?: string;
  entryPoint?: string;
  /** Given (even `{}`): no input boxes; missing values take their defaults. */
  parameters?: Record<string, string>;
  experimentName?: string;
  experimentId?: string;
}

interface ProjectLaunch {
  loaded: LoadedProject;
  entry: EntryPoint;
  parameters: Record<string, string>;
  experimentName?: string;
  experimentId?: string;
  tags?: Record<string, string>;
}

/** The extension host's environment without what is only meant for it. */
function commandEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  return env;
}

/** Runs the entry point in a new terminal named after it; resolves with the run's outcome. */
async function launch(context: vscode.ExtensionContext, connection: ConnectionManager, request: ProjectLaunch): Promise<ProjectRunResult | undefined> {
  const { loaded, entry } = request;
  // Refuse bad values here, before a terminal or a run exists (the runner checks again).
  resolveEntryPointParameters(entry, absolutePathValues(entry, request.parameters, loaded.folder), loaded.folder, { pathExists: (file) => fs.existsSync(file) });
  const client = await connection.client();
  const interpreter = await chooseInterpreter(vscode.Uri.file(loaded.folder));
  const pty = new ProjectTerminal();
  const terminal = vscode.window.createTerminal({ name: `MLproject: ${entry.name}`, pty, iconPath: new vscode.ThemeIcon('rocket'), isTransient: true });
  terminal.show(true);
  try {
    const result = await runProject({
      projectDir: loaded.sourceName,
      entryPoint: entry.name,
      parameters: request.parameters,
      experimentName: request.experimentName,
      experimentId: request.experimentId,
      tags: request.tags,
      client,
      interpreter: interpreter.path,
      env: commandEnvironment(),
      bundledPythonPath: context.asAbsolutePath(path.join('dist', 'python')),
      onOutput: (chunk, stream) => pty.output(chunk, stream),
      signal: pty.signal,
    });
    pty.finish(result);
    if (result.status === 'FAILED') {
      void vscode.window
        .showWarningMessage(`Entry point '${entry.name}' failed${result.exitCode !== null ? ` with exit code ${result.exitCode}` : ''}.`, 'Open Run Details')
        .then((choice) => choice && vscode.commands.executeCommand('trackside.openRunDetails', result.runId));
    }
    return result;
  } catch (error) {
    pty.finish(undefined, error);
    throw error;
  }
}

function tagOf(run: Run, key: string): string | undefined {
  return run.data.tags?.find((tag) => tag.key === key)?.value;
}

/** "Run MLproject Entry Point…" and "Re-run with These Parameters". */
export function registerProjectCommands(context: vscode.ExtensionContext, connection: ConnectionManager): vscode.Disposable[] {
  return [
    registerCommand('trackside.runProjectEntryPoint', 'Run MLproject Entry Point', async (arg?: RunProjectArguments | vscode.Uri) => {
      const args: RunProjectArguments = arg instanceof vscode.Uri ? { projectDir: arg.fsPath } : arg ?? {};
      let projectDir = args.projectDir;
      if (projectDir === undefined) {
        const folders = await findProjectFolders();
        if (folders.length === 0) {
          void vscode.window.showInformationMessage(
            'No MLproject file in this workspace: add one (name, entry_points with a command and parameters) next to your scripts.',
          );
          return undefined;
        }
        projectDir = await pickProjectFolder(folders);
        if (projectDir === undefined) return undefined;
      }
      const loaded = loadProject(projectDir);
      const entry = args.entryPoint !== undefined ? getEntryPoint(loaded.project, args.entryPoint) : await pickEntryPoint(loaded);
      if (!entry) return undefined;
      const parameters = args.parameters ?? (await askParameters(loaded, entry));
      if (!parameters) return undefined;
      return launch(context, connection, { loaded, entry, parameters, experimentName: args.experimentName, experimentId: args.experimentId });
    }),
    registerCommand('trackside.rerunProject', 'Re-run with These Parameters', async (node?: RunNode | string) => {
      const client = await connection.client();
      const runId = typeof node === 'string' ? node : node?.row.run_id ?? (await pickRun(client, { title: 'Re-run with These Parameters' }))?.info.run_id;
      if (!runId) return undefined;
      const run = await client.runs.get(runId);
      const entryName = tagOf(run, 'mlflow.project.entryPoint');
      const source = tagOf(run, 'mlflow.source.name');
      if (!entryName || !source) {
        throw new Error(`Run ${run.info.run_name || runId} was not started from an MLflow project (it has no mlflow.project.entryPoint tag).`);
      }
      if (!fs.existsSync(source)) {
        throw new Error(`The project of run ${run.info.run_name || runId} was '${source}', which is not a folder or file on this machine.`);
      }
      const loaded = loadProject(source);
      const entry = getEntryPoint(loaded.project, entryName);
      const logged = Object.fromEntries((run.data.params ?? []).filter((param) => Object.prototype.hasOwnProperty.call(entry.parameters, param.key)).map((param) => [param.key, param.value]));
      const parameters = recordedParameters(tagOf(run, PARAMETERS_TAG)) ?? logged;
      return launch(context, connection, {
        loaded,
        entry,
        parameters,
        experimentId: run.info.experiment_id,
        tags: { 'trackside.project.rerun_of': runId },
      });
    }),
  ];
}
