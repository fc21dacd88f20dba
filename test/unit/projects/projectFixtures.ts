import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { TrackingClient } from '../../../src/core/client/trackingClient';
import { CLI } from '../cli/cliFixture';
import { tempFolder } from '../helpers/tempFolder';

/** The demo workspace's MLflow project (two entry points with typed parameters). */
export const DEMO_PROJECT = path.join(path.dirname(path.dirname(CLI)), 'test', 'fixtures', 'demo-workspace', 'project');

/** A copy of the demo project in a new temp folder (so runs write nothing into the repository). */
export function copyDemoProject(): string {
  const folder = path.join(tempFolder('trackside-project-'), 'project');
  fs.cpSync(DEMO_PROJECT, folder, { recursive: true, filter: (source) => !source.includes('__pycache__') });
  return folder;
}

/** A project folder with the given files (an `MLproject` among them, usually). */
export function writeProject(files: Record<string, string>): string {
  const folder = tempFolder('trackside-project-');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    fs.writeFileSync(path.join(folder, name), text);
  }
  return folder;
}

/** Makes `folder` a git repository with one commit; returns the commit id. */
export function commitAll(folder: string): string {
  const git = (...args: string[]): string =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: folder, encoding: 'utf8' }).trim();
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'project');
  return git('rev-parse', 'HEAD');
}

/** Every run of every experiment (active and deleted), to check that nothing was created. */
export async function allRuns(client: TrackingClient): Promise<string[]> {
  const experiments = await client.experiments.searchAll({ viewType: 'ALL' });
  if (experiments.length === 0) return [];
  const runs = await client.runs.searchAll({ experimentIds: experiments.map((e) => e.experiment_id), runViewType: 'ALL' });
  return runs.map((run) => run.info.run_id);
}

/** The value of a run's tag. */
export function tagValue(run: { data: { tags?: { key: string; value: string }[] } }, key: string): string | undefined {
  return run.data.tags?.find((tag) => tag.key === key)?.value;
}
