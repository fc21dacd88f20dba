import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { TrackingClient } from '../client/trackingClient';
import { readMlModel, type MlModelInfo } from './mlModelFile';
import { resolveModel, type ResolvedModel } from './modelResolver';

/** A model on this machine, ready for a Python process to load. */
export interface LocalModel extends ResolvedModel {
  /** The folder holding `MLmodel`. */
  folder: string;
  mlModel: MlModelInfo;
  /** True when the files were already here (no download). */
  cached: boolean;
}

const COMPLETE_MARKER = '.trackside-complete';

/** A file-system-safe folder name for a model name (readable, with a hash when it had to change). */
function safeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_').slice(0, 80);
  return cleaned === name ? cleaned : `${cleaned}-${crypto.createHash('sha1').update(name).digest('hex').slice(0, 8)}`;
}

/**
 * Model folders downloaded from a tracking server, kept under `root` (e.g. `<store>/.model-cache`):
 * `<root>/<model name>/<version>` for registered versions (their files never change), and
 * `<root>/runs/<run id>/<path>` for `runs:/` URIs (fetched again each time: a run's files may change).
 * A download goes to a temporary folder that is renamed into place once complete.
 */
export class ModelCache {
  constructor(readonly root: string) {}

  /** Where a resolved model is (or would be) cached; undefined for local folders. */
  folderFor(resolved: ResolvedModel): string | undefined {
    if (resolved.localFolder !== undefined) return undefined;
    if (resolved.name !== undefined && resolved.version !== undefined) return path.join(this.root, safeName(resolved.name), resolved.version);
    return path.join(this.root, 'runs', safeName(resolved.runId ?? 'unknown'), ...(resolved.runArtifactPath ?? '').split('/').filter(Boolean).map(safeName));
  }

  /** Resolves `uri` and returns the model's local folder, downloading it when needed. */
  async fetch(client: TrackingClient, uri: string): Promise<LocalModel> {
    const resolved = await resolveModel(client, uri);
    if (resolved.localFolder !== undefined) {
      return { ...resolved, folder: resolved.localFolder, mlModel: await readMlModel(resolved.localFolder), cached: true };
    }
    const target = this.folderFor(resolved)!;
    const reusable = resolved.version !== undefined && fs.existsSync(path.join(target, COMPLETE_MARKER));
    if (!reusable) await this.download(client, resolved, target);
    return { ...resolved, folder: target, mlModel: await readMlModel(target), cached: reusable };
  }

  private async download(client: TrackingClient, resolved: ResolvedModel, target: string): Promise<void> {
    const partial = `${target}.partial-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    try {
      const { files } = await client.artifacts.download(resolved.runId!, { artifactPath: resolved.runArtifactPath, destination: partial });
      const downloaded = path.join(partial, ...(resolved.runArtifactPath ?? '').split('/').filter(Boolean));
      if (files === 0 || !fs.existsSync(path.join(downloaded, 'MLmodel'))) {
        throw new Error(
          `${resolved.uri} has no MLmodel file (${files} file${files === 1 ? '' : 's'} at ${resolved.artifactUri}): ` +
            'it was not logged as an MLflow Model (log it with log_model).',
        );
      }
      await fs.promises.writeFile(path.join(downloaded, COMPLETE_MARKER), new Date().toISOString());
      await fs.promises.rm(target, { recursive: true, force: true });
      try {
        await fs.promises.rename(downloaded, target);
      } catch (e) {
        // Another process finished the same version first: use theirs.
        if (!fs.existsSync(path.join(target, COMPLETE_MARKER))) throw e;
      }
    } finally {
      await fs.promises.rm(partial, { recursive: true, force: true });
    }
  }
}
