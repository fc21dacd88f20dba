import { execFile, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TrackingClient } from '../../../src/core/client/trackingClient';
import { TrackingServer } from '../../../src/core/server/trackingServer';
import { StoreBackend } from '../../../src/core/store/storeBackend';

/** The repository root: the folder above this file holding Trackside's package.json (else the cwd). */
function repositoryRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'trackside') return dir;
  }
  return process.cwd();
}

/** The built CLI (`npm run build` makes it). */
export const CLI = path.join(repositoryRoot(), 'dist', 'cli.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment without anything that would point the CLI elsewhere; times print in UTC. */
function cleanEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: 'UTC', ...extra };
  for (const name of ['MLFLOW_TRACKING_URI', 'MLFLOW_TRACKING_TOKEN', 'TRACKSIDE_STORE']) if (!(name in extra)) delete env[name];
  return env;
}

/** Runs `node dist/cli.js …` and collects its exit code and output. */
export function trackside(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first.`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: cleanEnvironment(options.env ?? {}), cwd: options.cwd, timeout: 30_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Opens a store folder, serves it for `seed` to fill through a client, and closes it again. */
export async function seedStore<T>(folder: string, seed: (client: TrackingClient) => Promise<T>): Promise<T> {
  const backend = await StoreBackend.open(folder, { owner: 'test', idleCheckpointMs: 0 });
  const token = crypto.randomBytes(16).toString('hex');
  const server = await TrackingServer.start({ backend, port: 0, token });
  const client = new TrackingClient({ trackingUri: server.url, token });
  try {
    return await seed(client);
  } finally {
    client.close();
    await server.close();
    await backend.close();
  }
}

/** `trackside server --store DIR --port 0` in a child process. */
export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly tokenFile: string,
  ) {}

  static start(folder: string): Promise<ServerProcess> {
    const child = spawn(process.execPath, [CLI, 'server', '--store', folder, '--port', '0'], { env: cleanEnvironment({}), stdio: ['ignore', 'pipe', 'pipe'] });
    return new Promise((resolve, reject) => {
      let output = '';
      let errors = '';
      const timer = setTimeout(() => {
        child.kill('SIGTERM');
        reject(new Error(`trackside server did not start: ${output}${errors}`));
      }, 15_000);
      child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const url = /MLFLOW_TRACKING_URI=(\S+)/.exec(output)?.[1];
        if (url && output.includes('MLFLOW_TRACKING_TOKEN=')) {
          clearTimeout(timer);
          resolve(new ServerProcess(child, url, path.join(folder, 'token')));
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`trackside server exited with ${code}: ${output}${errors}`));
      });
    });
  }

  get token(): string {
    return fs.readFileSync(this.tokenFile, 'utf8').trim();
  }

  /** Stops it the way Ctrl-C would and waits for it to exit. */
  stop(): Promise<number | null> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve(this.child.exitCode);
      this.child.once('exit', (code) => resolve(code));
      this.child.kill('SIGTERM');
    });
  }
}

/** The lines of a table, each split on runs of two or more spaces. */
export function tableRows(text: string): string[][] {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/));
}
