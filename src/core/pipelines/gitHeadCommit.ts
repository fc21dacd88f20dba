import { execFile } from 'node:child_process';

/** The commit checked out in the git repository holding `folder`; undefined when none or git is missing. */
export function gitHeadCommit(folder: string, timeoutMs = 5000): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', 'HEAD'], { cwd: folder, timeout: timeoutMs, windowsHide: true }, (error, stdout) => {
      const commit = String(stdout ?? '').trim();
      resolve(!error && /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(commit) ? commit : undefined);
    });
  });
}
