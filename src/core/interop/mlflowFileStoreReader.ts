import fs from 'node:fs';
import path from 'node:path';
import type { KeyValue } from '../../shared/entities';
import { parseYaml } from '../yaml/miniYaml';
import type { YamlMapping, YamlValue } from '../yaml/yamlError';
import { localArtifactFolder } from './artifactLocation';
import {
  MlflowImportError,
  runStatusOf,
  type MlflowSource,
  type SourceDatasetInput,
  type SourceExperiment,
  type SourceMetricPoint,
  type SourceModelVersion,
  type SourceRegisteredModel,
  type SourceRun,
} from './mlflowSource';

const META = 'meta.yaml';
const TRASH = '.trash';
const MODELS = 'models';
/** Folders inside an experiment folder that are not runs (mlflow/store/tracking/file_store.py). */
const RESERVED_EXPERIMENT_FOLDERS = new Set(['tags', 'datasets', 'traces']);

/**
 * Reads an MLflow file store (`mlruns/`): `<exp>/meta.yaml`, `<exp>/<run>/meta.yaml`,
 * `metrics/<key>` (lines `timestamp value step`), `params/<key>` and `tags/<key>` (the file
 * holds the value; keys with `/` are nested folders), `inputs/<id>/meta.yaml` pointing at
 * `<exp>/datasets/<id>/meta.yaml`, deleted experiments under `.trash/`, and the registry under
 * `models/<name>/` (`meta.yaml`, `tags/`, `aliases/`, `version-N/meta.yaml` + `tags/`).
 */
export class MlflowFileStoreReader implements MlflowSource {
  readonly kind = 'file' as const;
  readonly location: string;
  readonly description: string;
  readonly notes: string[] = [];
  private readonly experimentFolders = new Map<string, string>();
  private readonly runFolders = new Map<string, { folder: string; experimentFolder: string }>();
  private listed: SourceExperiment[] | undefined;

  constructor(folder: string) {
    this.location = path.resolve(folder);
    if (!isFolder(this.location)) throw new MlflowImportError(`${this.location} is not a folder.`);
    this.description = `MLflow file store ${this.location}`;
  }

  /** True when `folder` looks like an mlruns folder (an experiment with meta.yaml, `.trash` or `models`). */
  static looksLikeFileStore(folder: string): boolean {
    if (!isFolder(folder)) return false;
    if (isFolder(path.join(folder, TRASH))) return true;
    return subfolders(folder).some((name) => fs.existsSync(path.join(folder, name, META)) && !fs.existsSync(path.join(folder, META)));
  }

  experiments(): SourceExperiment[] {
    if (this.listed) return this.listed;
    const found: SourceExperiment[] = [];
    const scan = (parent: string, deleted: boolean): void => {
      for (const name of subfolders(parent)) {
        if (!deleted && (name === TRASH || name === MODELS || name.startsWith('.'))) continue;
        const folder = path.join(parent, name);
        const meta = this.readMeta(folder);
        if (!meta) {
          if (!deleted) this.notes.push(`${folder} has no meta.yaml and is not an experiment; it was skipped.`);
          continue;
        }
        const id = String(meta.experiment_id ?? name);
        this.experimentFolders.set(id, folder);
        found.push({
          id,
          name: String(meta.name ?? id),
          artifactLocation: optionalText(meta.artifact_location),
          lifecycleStage: deleted || meta.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
          creationTime: optionalNumber(meta.creation_time),
          lastUpdateTime: optionalNumber(meta.last_update_time),
          tags: readKeyValueFolder(path.join(folder, 'tags')),
        });
      }
    };
    scan(this.location, false);
    if (isFolder(path.join(this.location, TRASH))) scan(path.join(this.location, TRASH), true);
    this.noteTraces();
    this.listed = found.sort((a, b) => compareIds(a.id, b.id));
    return this.listed;
  }

  runs(experimentId: string): SourceRun[] {
    const experimentFolder = this.experimentFolder(experimentId);
    const runs: SourceRun[] = [];
    for (const name of subfolders(experimentFolder)) {
      if (RESERVED_EXPERIMENT_FOLDERS.has(name)) continue;
      const folder = path.join(experimentFolder, name);
      const meta = this.readMeta(folder);
      if (!meta) continue;
      const runId = String(meta.run_id ?? meta.run_uuid ?? name);
      this.runFolders.set(runId, { folder, experimentFolder });
      const tags = (): KeyValue[] => this.tags(runId);
      runs.push({
        runId,
        experimentId,
        name: optionalText(meta.run_name) || tags().find((t) => t.key === 'mlflow.runName')?.value || '',
        userId: optionalText(meta.user_id) || tags().find((t) => t.key === 'mlflow.user')?.value || '',
        status: runStatusOf(meta.status ?? 'RUNNING'),
        startTime: optionalNumber(meta.start_time),
        endTime: optionalNumber(meta.end_time),
        lifecycleStage: meta.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
        deletedTime: optionalNumber(meta.deleted_time),
        artifactUri: optionalText(meta.artifact_uri),
      });
    }
    return runs.sort((a, b) => (a.startTime ?? 0) - (b.startTime ?? 0) || a.runId.localeCompare(b.runId));
  }

  params(runId: string): KeyValue[] {
    return readKeyValueFolder(path.join(this.runFolder(runId).folder, 'params'));
  }

  tags(runId: string): KeyValue[] {
    return readKeyValueFolder(path.join(this.runFolder(runId).folder, 'tags'));
  }

  inputs(runId: string): SourceDatasetInput[] {
    const { folder, experimentFolder } = this.runFolder(runId);
    const inputs: SourceDatasetInput[] = [];
    for (const name of subfolders(path.join(folder, 'inputs'))) {
      const input = this.readMeta(path.join(folder, 'inputs', name));
      if (!input || input.source_type !== 'DATASET') continue;
      const dataset = this.readMeta(path.join(experimentFolder, 'datasets', String(input.source_id)));
      if (!dataset) {
        this.notes.push(`Run ${runId} names dataset ${String(input.source_id)}, which its experiment folder lacks; that input was skipped.`);
        continue;
      }
      const tags = input.tags && typeof input.tags === 'object' && !Array.isArray(input.tags) ? (input.tags as YamlMapping) : {};
      inputs.push({
        name: String(dataset.name),
        digest: String(dataset.digest),
        sourceType: String(dataset.source_type),
        source: optionalText(dataset.source) ?? '',
        schema: optionalText(dataset.schema),
        profile: optionalText(dataset.profile),
        tags: Object.entries(tags).map(([key, value]) => ({ key, value: optionalText(value as YamlValue) ?? '' })),
      });
    }
    return inputs.sort((a, b) => a.name.localeCompare(b.name) || a.digest.localeCompare(b.digest));
  }

  metricCount(runId: string): number {
    let count = 0;
    const metricsFolder = path.join(this.runFolder(runId).folder, 'metrics');
    for (const key of listFiles(metricsFolder)) {
      const bytes = fs.readFileSync(path.join(metricsFolder, ...key.split('/')));
      for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) count++;
      if (bytes.length > 0 && bytes[bytes.length - 1] !== 10) count++;
    }
    return count;
  }

  *metricPages(runId: string, pageSize: number): Iterable<SourceMetricPoint[]> {
    const metricsFolder = path.join(this.runFolder(runId).folder, 'metrics');
    let page: SourceMetricPoint[] = [];
    for (const key of listFiles(metricsFolder).sort()) {
      const file = path.join(metricsFolder, ...key.split('/'));
      const points: SourceMetricPoint[] = [];
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i].trim();
        if (line === '') continue;
        const parts = line.split(/\s+/);
        const timestamp = Number(parts[0]);
        const value = parsePythonFloat(parts[1]);
        const step = parts.length > 2 ? Number(parts[2]) : 0;
        if ((parts.length !== 2 && parts.length !== 3) || !Number.isFinite(timestamp) || value === undefined || !Number.isFinite(step)) {
          throw new MlflowImportError(`Metric file ${file} line ${i + 1} is malformed: '${line.slice(0, 80)}' (expected 'timestamp value step').`);
        }
        points.push({ key, value, timestamp, step });
      }
      points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
      for (const point of points) {
        page.push(point);
        if (page.length >= pageSize) {
          yield page;
          page = [];
        }
      }
    }
    if (page.length > 0) yield page;
  }

  registeredModels(): SourceRegisteredModel[] {
    const modelsFolder = path.join(this.location, MODELS);
    const models: SourceRegisteredModel[] = [];
    for (const name of subfolders(modelsFolder).sort()) {
      const folder = path.join(modelsFolder, name);
      const meta = this.readMeta(folder);
      if (!meta) continue;
      models.push({
        name: String(meta.name ?? name),
        description: optionalText(meta.description),
        creationTime: optionalNumber(meta.creation_timestamp),
        lastUpdatedTime: optionalNumber(meta.last_updated_timestamp),
        tags: readKeyValueFolder(path.join(folder, 'tags')),
        aliases: readKeyValueFolder(path.join(folder, 'aliases'))
          .map(({ key, value }) => ({ alias: key, version: Number(value.trim()) }))
          .filter((a) => Number.isInteger(a.version)),
      });
    }
    return models;
  }

  modelVersions(model: SourceRegisteredModel): SourceModelVersion[] {
    const folder = path.join(this.location, MODELS, model.name);
    const versions: SourceModelVersion[] = [];
    for (const name of subfolders(folder)) {
      if (!/^version-\d+$/.test(name)) continue;
      const meta = this.readMeta(path.join(folder, name));
      if (!meta) continue;
      versions.push({
        name: model.name,
        version: Number(meta.version ?? name.slice('version-'.length)),
        creationTime: optionalNumber(meta.creation_timestamp),
        lastUpdatedTime: optionalNumber(meta.last_updated_timestamp),
        description: optionalText(meta.description),
        userId: optionalText(meta.user_id),
        currentStage: optionalText(meta.current_stage) ?? 'None',
        source: optionalText(meta.source),
        runId: optionalText(meta.run_id),
        runLink: optionalText(meta.run_link),
        status: optionalText(meta.status),
        statusMessage: optionalText(meta.status_message),
        storageLocation: optionalText(meta.storage_location),
        tags: readKeyValueFolder(path.join(folder, name, 'tags')),
      });
    }
    return versions.sort((a, b) => a.version - b.version);
  }

  localArtifactFolder(artifactUri: string): string | undefined {
    return localArtifactFolder(artifactUri, [path.dirname(this.location), this.location], this.location);
  }

  close(): void {
    this.experimentFolders.clear();
    this.runFolders.clear();
  }

  private experimentFolder(experimentId: string): string {
    this.experiments();
    const folder = this.experimentFolders.get(experimentId);
    if (!folder) throw new MlflowImportError(`Experiment ${experimentId} is not in ${this.location}.`);
    return folder;
  }

  private runFolder(runId: string): { folder: string; experimentFolder: string } {
    const found = this.runFolders.get(runId);
    if (!found) throw new MlflowImportError(`Run ${runId} was not listed from ${this.location}; list its experiment's runs first.`);
    return found;
  }

  private readMeta(folder: string): YamlMapping | undefined {
    const file = path.join(folder, META);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    let value: YamlValue;
    try {
      value = parseYaml(text);
    } catch (e) {
      throw new MlflowImportError(`${file} is not valid YAML: ${(e as Error).message}`);
    }
    if (value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw new MlflowImportError(`${file} does not hold a mapping.`);
    return value;
  }

  private noteTraces(): void {
    let traces = 0;
    for (const folder of this.experimentFolders.values()) traces += subfolders(path.join(folder, 'traces')).length;
    if (traces > 0) this.notes.push(`${traces} trace(s) were not imported: Trackside does not store traces.`);
  }
}

/** Python's float repr as MLflow writes it: `0.5`, `1e-05`, `nan`, `inf`, `-inf`. */
export function parsePythonFloat(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const lower = text.toLowerCase();
  if (lower === 'nan' || lower === '-nan') return NaN;
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  const n = Number(text);
  return text.trim() === '' || Number.isNaN(n) ? undefined : n;
}

/** Every file under `folder`, as `/`-separated paths relative to it (MLflow's nested keys). */
function listFiles(folder: string, prefix = ''): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory()) files.push(...listFiles(path.join(folder, entry.name), `${prefix}${entry.name}/`));
    else if (entry.isFile()) files.push(prefix + entry.name);
  }
  return files;
}

function readKeyValueFolder(folder: string): KeyValue[] {
  return listFiles(folder)
    .sort()
    .map((key) => ({ key, value: fs.readFileSync(path.join(folder, ...key.split('/')), 'utf8') }));
}

function subfolders(folder: string): string[] {
  try {
    return fs
      .readdirSync(folder, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

function isFolder(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function optionalText(value: YamlValue | undefined): string | null {
  return value === null || value === undefined ? null : String(value);
}

function optionalNumber(value: YamlValue | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || a.localeCompare(b);
}
