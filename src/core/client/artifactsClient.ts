import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FileInfo, Run } from '../../shared/entities';
import { artifactLocation, cleanArtifactPath, confinedJoin, encodePath, type ArtifactLocation } from './artifactLocation';
import type { Answer, HttpTransport, RequestOptions } from './httpTransport';
import { TrackingClientError } from './trackingClientError';

export interface ListArtifactsResponse {
  root_uri?: string;
  files: FileInfo[];
}

/** A file or folder a download wrote, and the artifact files it held. */
export interface DownloadResult {
  localPath: string;
  files: number;
}

/**
 * Run artifacts: listed through `artifacts/list`; read through the artifact proxy for
 * `mlflow-artifacts:` runs and through `/get-artifact` otherwise; written and deleted through the
 * proxy (`PUT`/`DELETE`), or directly for runs whose artifacts are a folder on this machine.
 */
export class ArtifactsClient {
  private readonly locations = new Map<string, Promise<ArtifactLocation>>();

  constructor(
    private readonly http: HttpTransport,
    private readonly getRun: (runId: string) => Promise<Run>,
  ) {}

  /** The entries of one folder (every page), paths relative to the run's artifact root. */
  async list(runId: string, artifactPath?: string): Promise<ListArtifactsResponse> {
    const files: FileInfo[] = [];
    let rootUri: string | undefined;
    let pageToken: string | undefined;
    do {
      const page = await this.http.json<{ root_uri?: string; files?: FileInfo[]; next_page_token?: string }>('GET', '/api/2.0/mlflow/artifacts/list', {
        query: { run_id: runId, run_uuid: runId, path: cleanArtifactPath(artifactPath) || undefined, page_token: pageToken },
      });
      rootUri ??= page.root_uri;
      files.push(...(page.files ?? []));
      pageToken = page.files?.length ? page.next_page_token : undefined;
    } while (pageToken);
    return rootUri === undefined ? { files } : { root_uri: rootUri, files };
  }

  /** Every file below a folder (depth first), paths relative to the run's artifact root. */
  async *walk(runId: string, artifactPath?: string): AsyncGenerator<FileInfo> {
    for (const entry of (await this.list(runId, artifactPath)).files) {
      if (entry.is_dir) yield* this.walk(runId, entry.path);
      else yield entry;
    }
  }

  /** One artifact file's bytes (for previews: small files). */
  async read(runId: string, artifactPath: string): Promise<Buffer> {
    const { method, path: apiPath, options } = await this.fileRequest(runId, artifactPath);
    return (await this.http.request(method, apiPath, options)).body;
  }

  /** Streams one artifact file to `localFile` (written to a temp name, then renamed). */
  async downloadFile(runId: string, artifactPath: string, localFile: string): Promise<void> {
    const { method, path: apiPath, options } = await this.fileRequest(runId, artifactPath);
    await fs.promises.mkdir(path.dirname(localFile), { recursive: true });
    const partial = `${localFile}.partial-${process.pid}-${Date.now()}`;
    try {
      await this.http.withRetries(method, apiPath, options, async () => {
        const answer: Answer = await this.http.request(method, apiPath, { ...options, idempotent: false }, true);
        await pipeline(answer.stream!, fs.createWriteStream(partial));
      });
      await fs.promises.rename(partial, localFile);
    } finally {
      await fs.promises.rm(partial, { force: true });
    }
  }

  /**
   * Downloads a file or a whole folder (the run's root when `artifactPath` is empty) to
   * `<destination>/<artifactPath>`, as MLflow's `download_artifacts` does. Without a destination,
   * a new temporary folder is used. Returns the local path.
   */
  async download(runId: string, options: { artifactPath?: string; destination?: string } = {}): Promise<DownloadResult> {
    const rel = cleanArtifactPath(options.artifactPath);
    const destination = options.destination ?? (await fs.promises.mkdtemp(path.join(os.tmpdir(), 'trackside-artifacts-')));
    const localPath = confinedJoin(destination, rel);
    const entries = (await this.list(runId, rel)).files;
    if (rel !== '' && entries.length === 0) {
      await this.downloadFile(runId, rel, localPath);
      return { localPath, files: 1 };
    }
    await fs.promises.mkdir(localPath, { recursive: true });
    let files = 0;
    for await (const entry of this.walk(runId, rel)) {
      await this.downloadFile(runId, entry.path, confinedJoin(destination, cleanArtifactPath(entry.path)));
      files++;
    }
    return { localPath, files };
  }

  /**
   * Uploads a file (to `<artifactPath>/<its name>`) or a folder's contents (below `artifactPath`),
   * like MLflow's `log_artifact` / `log_artifacts`. Returns the artifact paths written.
   */
  async upload(runId: string, localPath: string, artifactPath?: string): Promise<string[]> {
    const base = cleanArtifactPath(artifactPath);
    const stat = await fs.promises.stat(localPath).catch(() => undefined);
    if (!stat) throw new TrackingClientError(0, 'INVALID_PARAMETER_VALUE', `No such file or folder to upload: ${localPath}`);
    const join = (...parts: string[]): string => parts.filter(Boolean).join('/');
    const files: { local: string; target: string }[] = [];
    if (stat.isDirectory()) {
      for (const rel of await listFilesBelow(localPath)) files.push({ local: path.join(localPath, rel), target: join(base, rel.split(path.sep).join('/')) });
    } else files.push({ local: localPath, target: join(base, path.basename(localPath)) });
    const location = await this.location(runId);
    for (const file of files) await this.uploadFile(runId, location, file.local, file.target);
    return files.map((f) => f.target);
  }

  /** Deletes an artifact file or folder. */
  async delete(runId: string, artifactPath: string): Promise<void> {
    const rel = cleanArtifactPath(artifactPath);
    if (rel === '') throw new TrackingClientError(0, 'INVALID_PARAMETER_VALUE', 'Give the artifact path to delete (the run root cannot be deleted).');
    const location = await this.location(runId);
    if (location.kind === 'proxy') {
      await this.http.json('DELETE', `/api/2.0/mlflow-artifacts/artifacts/${encodePath(`${location.proxyRoot}/${rel}`)}`, { idempotent: false });
    } else if (location.kind === 'local') {
      await fs.promises.rm(confinedJoin(location.folder, rel), { recursive: true, force: true });
    } else throw unsupported(location.uri, 'delete');
  }

  /** The run's artifact location, asked once per run. */
  location(runId: string): Promise<ArtifactLocation> {
    let found = this.locations.get(runId);
    if (!found) {
      found = this.getRun(runId).then((run) => artifactLocation(run.info.artifact_uri));
      found.catch(() => this.locations.delete(runId));
      this.locations.set(runId, found);
    }
    return found;
  }

  private async fileRequest(runId: string, artifactPath: string): Promise<{ method: string; path: string; options: RequestOptions }> {
    const rel = cleanArtifactPath(artifactPath);
    const location = await this.location(runId);
    const options: RequestOptions = { headers: { Accept: '*/*' } };
    if (location.kind === 'proxy') {
      return { method: 'GET', path: `/api/2.0/mlflow-artifacts/artifacts/${encodePath(`${location.proxyRoot}/${rel}`)}`, options };
    }
    return { method: 'GET', path: '/get-artifact', options: { ...options, query: { path: rel, run_uuid: runId } } };
  }

  private async uploadFile(runId: string, location: ArtifactLocation, localFile: string, target: string): Promise<void> {
    if (location.kind === 'proxy') {
      const size = (await fs.promises.stat(localFile)).size;
      await this.http.json('PUT', `/api/2.0/mlflow-artifacts/artifacts/${encodePath(`${location.proxyRoot}/${target}`)}`, {
        upload: { open: () => fs.createReadStream(localFile), size },
        idempotent: true,
      });
    } else if (location.kind === 'local') {
      const destination = confinedJoin(location.folder, target);
      await fs.promises.mkdir(path.dirname(destination), { recursive: true });
      const partial = `${destination}.partial-${process.pid}-${Date.now()}`;
      await fs.promises.copyFile(localFile, partial);
      await fs.promises.rename(partial, destination);
    } else throw unsupported(location.uri, `upload to run ${runId}`);
  }
}

function unsupported(uri: string, what: string): TrackingClientError {
  return new TrackingClientError(
    0,
    'NOT_IMPLEMENTED',
    `Cannot ${what}: the artifacts live at ${uri}, which this client cannot write (only mlflow-artifacts: and local folders).`,
  );
}

/** Files below a folder (recursively), as paths relative to it, sorted. */
async function listFilesBelow(folder: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (rel: string): Promise<void> => {
    const entries = await fs.promises.readdir(path.join(folder, rel), { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const child = rel ? path.join(rel, entry.name) : entry.name;
      if (entry.isDirectory()) await visit(child);
      else if (entry.isFile()) out.push(child);
    }
  };
  await visit('');
  return out;
}
