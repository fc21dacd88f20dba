import fs from 'node:fs';
import path from 'node:path';
import { UsageError, optionString } from './argParser';
import type { CliCommand } from './cliCommand';
import { CONNECTION_NOTES, CONNECTION_OPTIONS, JSON_OPTION, printJson, withClient } from './clientConnection';
import type { CliCommandGroup } from './commandGroup';
import { flag, requireOption } from './optionValues';
import { formatSize, formatTable } from './tableFormat';
import { cleanArtifactPath, parseRunsUri } from '../core/client/artifactLocation';

const RUN_ID = { name: 'run-id', alias: 'r', value: 'ID', description: 'The run id' };
const ARTIFACT_PATH = { name: 'artifact-path', alias: 'a', value: 'PATH', description: "Path inside the run's artifacts (default: its root)" };

const list: CliCommand = {
  spec: {
    name: 'artifacts list',
    summary: "List the files and folders in a run's artifact folder.",
    usage: 'trackside artifacts list --run-id ID [--artifact-path PATH] [--json]',
    options: [RUN_ID, ARTIFACT_PATH, JSON_OPTION, ...CONNECTION_OPTIONS],
  },
  async run(args, io) {
    const runId = requireOption(args, 'run-id');
    const listing = await withClient(args, io, (client) => client.artifacts.list(runId, optionString(args, 'artifact-path')));
    if (flag(args, 'json')) return printJson(io, listing), 0;
    if (listing.files.length === 0) return io.out('No artifacts.'), 0;
    io.out(
      formatTable(
        [{ header: 'Path' }, { header: 'Type' }, { header: 'Size', right: true }],
        listing.files.map((f) => [f.is_dir ? `${f.path}/` : f.path, f.is_dir ? 'dir' : 'file', f.is_dir ? '' : formatSize(f.file_size)]),
        { maxCell: 100 },
      ),
    );
    return 0;
  },
};

const download: CliCommand = {
  spec: {
    name: 'artifacts download',
    summary: "Download a run's artifact file or folder (all of them by default); prints the local path.",
    usage: 'trackside artifacts download (--run-id ID [--artifact-path PATH] | --artifact-uri runs:/ID/PATH) [--dst-path DIR] [--json]',
    options: [
      RUN_ID,
      ARTIFACT_PATH,
      { name: 'artifact-uri', alias: 'u', value: 'URI', description: 'runs:/<run_id>/<path> instead of --run-id and --artifact-path' },
      { name: 'dst-path', alias: 'd', value: 'DIR', description: 'Folder to download into (default: a new temporary folder)' },
      JSON_OPTION,
      ...CONNECTION_OPTIONS,
    ],
  },
  async run(args, io) {
    const uri = optionString(args, 'artifact-uri');
    let runId = optionString(args, 'run-id');
    let artifactPath = optionString(args, 'artifact-path');
    if (uri !== undefined) {
      if (runId !== undefined || artifactPath !== undefined) throw new UsageError('Give either --artifact-uri or --run-id/--artifact-path, not both.');
      if (!uri.startsWith('runs:')) throw new UsageError(`--artifact-uri must be a runs:/<run_id>/<path> URI, got '${uri}'.`);
      try {
        ({ runId, artifactPath } = parseRunsUri(uri));
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    }
    if (!runId) throw new UsageError('Missing option --run-id (or --artifact-uri).');
    const dst = optionString(args, 'dst-path');
    if (dst !== undefined) fs.mkdirSync(path.resolve(dst), { recursive: true });
    const id = runId;
    const result = await withClient(args, io, (client) =>
      client.artifacts.download(id, { artifactPath, destination: dst === undefined ? undefined : path.resolve(dst) }),
    );
    if (flag(args, 'json')) printJson(io, { local_path: result.localPath, files: result.files });
    else io.out(result.localPath);
    return 0;
  },
};

function logCommand(kind: 'file' | 'folder'): CliCommand {
  const option = kind === 'file'
    ? { name: 'local-file', alias: 'l', value: 'FILE', description: 'The file to upload' }
    : { name: 'local-dir', alias: 'l', value: 'DIR', description: 'The folder whose contents to upload' };
  return {
    spec: {
      name: kind === 'file' ? 'artifacts log-artifact' : 'artifacts log-artifacts',
      summary: kind === 'file'
        ? 'Upload a file into a run\'s artifacts (as <artifact-path>/<file name>).'
        : "Upload a folder's contents into a run's artifacts (below <artifact-path>).",
      usage: `trackside artifacts ${kind === 'file' ? 'log-artifact --local-file FILE' : 'log-artifacts --local-dir DIR'} --run-id ID [--artifact-path PATH] [--json]`,
      options: [option, RUN_ID, ARTIFACT_PATH, JSON_OPTION, ...CONNECTION_OPTIONS],
    },
    async run(args, io) {
      const local = path.resolve(requireOption(args, option.name));
      const runId = requireOption(args, 'run-id');
      const stat = fs.statSync(local, { throwIfNoEntry: false });
      if (!stat) throw new UsageError(`No such ${kind}: ${local}`);
      if (kind === 'file' && !stat.isFile()) throw new UsageError(`${local} is not a file: use log-artifacts --local-dir for a folder.`);
      if (kind === 'folder' && !stat.isDirectory()) throw new UsageError(`${local} is not a folder: use log-artifact --local-file for a file.`);
      const { written, rootUri } = await withClient(args, io, async (client) => {
        const paths = await client.artifacts.upload(runId, local, optionString(args, 'artifact-path'));
        return { written: paths, rootUri: (await client.runs.get(runId)).info.artifact_uri };
      });
      if (flag(args, 'json')) printJson(io, { artifact_uri: rootUri, paths: written });
      else if (kind === 'file') io.out(`Logged ${local} to ${rootUri}/${written[0]}.`);
      else {
        const below = cleanArtifactPath(optionString(args, 'artifact-path'));
        io.out(`Logged ${written.length} file(s) from ${local} to ${rootUri}${below ? `/${below}` : ''}.`);
      }
      return 0;
    },
  };
}

/** `trackside artifacts …`: MLflow's artifact commands against any tracking server or store. */
export const artifactsCommand: CliCommandGroup = {
  name: 'artifacts',
  summary: "List, download and upload a run's artifacts.",
  subcommands: [list, download, logCommand('file'), logCommand('folder')],
  notes: CONNECTION_NOTES,
};
