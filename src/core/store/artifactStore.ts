import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileInfo } from '../../shared/entities';
import { syncFolder } from './journal';
import { TrackingError, invalidParameter, notFound } from './trackingError';

const UPLOAD_MARK = '.trackside-upload-';

/**
 * Run artifacts on local disk: `mlflow-artifacts:/<exp>/<run>/artifacts/...` lives under
 * `<store>/artifacts/`. Every path is resolved and confined to its run's folder — `..`, absolute
 * paths and symlinks that lead out are refused — and uploads land atomically (temp file, fsync, rename).
 */
export class ArtifactStore {
  constructor(readonly root: string) {}

  /** The run folder (`<root>/<exp>/<run>`) a proxy path such as `0/<run>/artifacts/a.txt` points into. */
  static proxyRunPrefix(proxyPath: string): { experimentId: string; runId: string; rest: string } {
    const clean = proxyPath.replace(/^\/+/, '');
    const [experimentId, runId, ...rest] = clean.split('/');
    if (!experimentId || !runId) {
      throw invalidParameter(`Artifact path '${proxyPath}' must start with <experiment_id>/<run_id>/.`);
    }
    return { experimentId, runId, rest: rest.join('/') };
  }

  /** A local folder for an artifact URI, or undefined when the URI is not on this machine. */
  localPath(uri: string): string | undefined {
    if (uri.startsWith('mlflow-artifacts:')) {
      const rel = uri.slice('mlflow-artifacts:'.length).replace(/^\/+/, '');
      return this.confine(this.root, rel);
    }
    if (uri.startsWith('file://')) return decodeURIComponent(new URL(uri).pathname);
    if (uri.startsWith('file:')) return uri.slice('file:'.length);
    if (path.isAbsolute(uri)) return uri;
    return undefined;
  }

  /**
   * Resolves `relative` inside `base`, refusing absolute paths, `..` that climbs out, NUL bytes,
   * and symlinks whose target is outside `base`. Returns the absolute path.
   */
  confine(base: string, relative: string): string {
    if (relative.includes('\0')) throw invalidParameter('Artifact paths may not contain NUL bytes.');
    if (path.isAbsolute(relative) || /^[a-zA-Z]:[\\/]/.test(relative)) {
      throw invalidParameter(`Invalid artifact path '${relative}': absolute paths are not allowed.`);
    }
    const resolvedBase = path.resolve(base);
    const target = path.resolve(resolvedBase, relative);
    if (target !== resolvedBase && !target.startsWith(resolvedBase + path.sep)) {
      throw invalidParameter(`Invalid artifact path '${relative}': it leads outside the run's artifact folder.`);
    }
    // Follow symlinks on the part of the path that exists: it must stay inside the real base.
    const realBase = fs.existsSync(resolvedBase) ? fs.realpathSync(resolvedBase) : resolvedBase;
    let existing = target;
    while (!fs.existsSync(existing) && existing !== resolvedBase && existing.length > resolvedBase.length) {
      existing = path.dirname(existing);
    }
    if (fs.existsSync(existing)) {
      const real = fs.realpathSync(existing);
      if (real !== realBase && !real.startsWith(realBase + path.sep)) {
        throw invalidParameter(`Invalid artifact path '${relative}': a symbolic link leads outside the run's artifact folder.`);
      }
    }
    return target;
  }

  /** Lists a directory: names relative to `relativeTo` (MLflow's two list routes differ in this). */
  list(dir: string, relativeTo: string): FileInfo[] {
    if (!fs.existsSync(dir)) return [];
    const stat = fs.statSync(dir);
    if (!stat.isDirectory()) return [];
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((entry) => !entry.name.includes(UPLOAD_MARK))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((entry) => {
        const full = path.join(dir, entry.name);
        const rel = path.relative(relativeTo, full).split(path.sep).join('/');
        const isDir = entry.isDirectory() || (entry.isSymbolicLink() && fs.statSync(full).isDirectory());
        return isDir ? { path: rel, is_dir: true } : { path: rel, is_dir: false, file_size: fs.statSync(full).size };
      });
  }

  /** Streams `body` into `target` atomically; the folder is created as needed. */
  async upload(target: string, body: Readable): Promise<void> {
    const folder = path.dirname(target);
    const tmp = path.join(folder, `.${path.basename(target)}${UPLOAD_MARK}${crypto.randomBytes(6).toString('hex')}`);
    let handle: fs.promises.FileHandle;
    try {
      await fs.promises.mkdir(folder, { recursive: true });
      if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
        throw invalidParameter(`Cannot upload to '${path.basename(target)}': a directory of that name exists.`);
      }
      handle = await fs.promises.open(tmp, 'w');
    } catch (e) {
      body.resume();
      throw unusableUploadPath(e, target);
    }
    // The stream closes its file itself: a FileHandle stream with autoClose: false keeps a reference
    // on the handle, and handle.close() then never resolves (the upload hung). fsync through a second
    // descriptor of the same file instead.
    try {
      await pipeline(body, handle.createWriteStream());
      const written = await fs.promises.open(tmp, 'r+');
      try {
        await written.sync();
      } finally {
        await written.close();
      }
    } catch (e) {
      await handle.close().catch(() => undefined);
      await fs.promises.rm(tmp, { force: true });
      throw e;
    }
    await fs.promises.rename(tmp, target);
    syncFolder(folder);
  }

  /** A readable stream of a file; 404 when it does not exist or is a folder. */
  open(file: string, displayPath: string): { stream: fs.ReadStream; size: number } {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      throw notFound(`Artifact '${displayPath}' does not exist.`);
    }
    if (stat.isDirectory()) throw new TrackingError('INVALID_PARAMETER_VALUE', `Artifact '${displayPath}' is a directory; list it instead.`);
    return { stream: fs.createReadStream(file), size: stat.size };
  }

  /** Deletes a file or a folder; 404 when it does not exist. */
  async remove(target: string, displayPath: string): Promise<void> {
    if (!fs.existsSync(target)) throw notFound(`Artifact '${displayPath}' does not exist.`);
    await fs.promises.rm(target, { recursive: true, force: true });
    syncFolder(path.dirname(target));
  }
}

/** A path the file system refuses (a file where a folder goes, a name too long) is the client's error: 400. */
function unusableUploadPath(e: unknown, target: string): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    ENOTDIR: 'a file stands where one of its folders would go',
    EEXIST: 'a file stands where one of its folders would go',
    EISDIR: 'a directory of that name exists',
    ENAMETOOLONG: 'the path is too long for the file system',
  };
  return code && reasons[code] ? invalidParameter(`Cannot upload to '${path.basename(target)}': ${reasons[code]}.`) : e;
}

/** A Content-Type for a downloaded artifact, from its extension. */
export function contentTypeFor(file: string): string {
  const ext = path.extname(file).toLowerCase();
  const types: Record<string, string> = {
    '.txt': 'text/plain', '.log': 'text/plain', '.md': 'text/markdown', '.json': 'application/json', '.yaml': 'text/yaml',
    '.yml': 'text/yaml', '.csv': 'text/csv', '.tsv': 'text/tab-separated-values', '.html': 'text/html', '.htm': 'text/html',
    '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.svg': 'image/svg+xml',
    '.py': 'text/x-python', '.pkl': 'application/octet-stream', '.parquet': 'application/octet-stream',
  };
  if (path.basename(file) === 'MLmodel') return 'text/yaml';
  return types[ext] ?? 'application/octet-stream';
}
