import { spawn } from 'node:child_process';
import path from 'node:path';
import * as vscode from 'vscode';

/**
 * Runs `trackside monitor …` (the bundled CLI) in a child process against the current tracking
 * server and returns its `--json` answer: reading and comparing big files stays off the extension
 * host's thread. Cancelling kills the process.
 */
export function runMonitorCli<T>(
  extensionPath: string,
  args: string[],
  environment: { MLFLOW_TRACKING_URI: string; MLFLOW_TRACKING_TOKEN?: string },
  cancellation?: vscode.CancellationToken,
): Promise<T> {
  const cli = path.join(extensionPath, 'dist', 'cli.js');
  const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1', MLFLOW_TRACKING_TOKEN: environment.MLFLOW_TRACKING_TOKEN ?? '' };
  delete env.MLFLOW_TRACKING_URI;
  return new Promise<T>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'monitor', ...args, '--json', '--tracking-uri', environment.MLFLOW_TRACKING_URI], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const cancelled = cancellation?.onCancellationRequested(() => child.kill('SIGTERM'));
    child.on('error', (error) => {
      cancelled?.dispose();
      reject(new Error(`Could not start the Trackside CLI (${cli}): ${error.message}`));
    });
    child.on('close', (code, signal) => {
      cancelled?.dispose();
      if (cancellation?.isCancellationRequested) {
        reject(new vscode.CancellationError());
        return;
      }
      if (code === 0) {
        try {
          resolve(JSON.parse(stdout) as T);
        } catch {
          reject(new Error(`The Trackside CLI answered something that is not JSON: ${stdout.slice(0, 200)}`));
        }
        return;
      }
      reject(new Error(cliError(stderr) || `The Trackside CLI stopped (${signal ?? `exit code ${code}`}).`));
    });
  });
}

/** The CLI's last error line, without its `trackside monitor drift:` prefix. */
function cliError(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('['));
  const last = lines[lines.length - 1] ?? '';
  return last.replace(/^trackside monitor \w+: /, '');
}
