import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanArtifactPath, parseRunsUri } from '../../core/client/artifactLocation';
import type { TrackingClient } from '../../core/client/trackingClient';
import { parseYaml } from '../../core/yaml/miniYaml';
import type { ModelVersion } from '../../shared/entities';
import type { MlModelSummary, SignatureColumn } from '../../shared/protocol/modelVersionProtocol';

/** Where a model version's MLmodel file is: an artifact of a run, or a file on this machine. */
export type MlModelLocation = { kind: 'artifact'; runId: string; path: string } | { kind: 'file'; path: string };

/**
 * Finds the MLmodel of a version from its `source`: `runs:/<run>/<path>`, the run's artifact URI
 * followed by a path, or a local folder (`file:` or an absolute path).
 */
export async function locateMlModel(client: TrackingClient, version: ModelVersion): Promise<MlModelLocation> {
  const source = version.source;
  if (source.startsWith('runs:/')) {
    const { runId, artifactPath } = parseRunsUri(source);
    return { kind: 'artifact', runId, path: joinPath(artifactPath, 'MLmodel') };
  }
  if (version.run_id) {
    const root = (await client.runs.get(version.run_id)).info.artifact_uri.replace(/\/+$/, '');
    if (source === root || source.startsWith(`${root}/`)) {
      return { kind: 'artifact', runId: version.run_id, path: joinPath(cleanArtifactPath(source.slice(root.length)), 'MLmodel') };
    }
  }
  if (source.startsWith('file:')) return { kind: 'file', path: path.join(source.startsWith('file://') ? fileURLToPath(source) : source.slice(5), 'MLmodel') };
  if (path.isAbsolute(source)) return { kind: 'file', path: path.join(source, 'MLmodel') };
  throw new Error(`Trackside cannot read the MLmodel of source '${source}' (only runs:/ URIs, run artifacts and local folders).`);
}

function joinPath(folder: string, name: string): string {
  return folder ? `${folder}/${name}` : name;
}

/** Reads and summarises the MLmodel of a version. */
export async function readMlModel(client: TrackingClient, version: ModelVersion): Promise<MlModelSummary> {
  const location = await locateMlModel(client, version);
  const text =
    location.kind === 'artifact'
      ? (await client.artifacts.read(location.runId, location.path)).toString('utf8')
      : await fs.promises.readFile(location.path, 'utf8');
  const where = location.kind === 'artifact' ? `runs:/${location.runId}/${location.path}` : location.path;
  return summarizeMlModel(text, where);
}

/** Flavors (with their settings as text), the signature's columns, and when and with what it was written. */
export function summarizeMlModel(text: string, location: string): MlModelSummary {
  const doc = parseYaml(text) as Record<string, unknown> | null;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('The MLmodel file is not a YAML mapping.');
  const flavors = Object.entries((doc.flavors as Record<string, unknown>) ?? {}).map(([name, settings]) => ({
    name,
    details: Object.fromEntries(
      Object.entries(settings && typeof settings === 'object' ? (settings as Record<string, unknown>) : {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    ),
  }));
  const summary: MlModelSummary = { location, flavors };
  const signature = doc.signature as Record<string, unknown> | undefined;
  if (signature && typeof signature === 'object') {
    summary.signature = { inputs: signatureColumns(signature.inputs), outputs: signatureColumns(signature.outputs), params: signatureColumns(signature.params) };
  }
  if (typeof doc.mlflow_version === 'string') summary.mlflowVersion = doc.mlflow_version;
  if (typeof doc.utc_time_created === 'string') summary.utcTimeCreated = doc.utc_time_created;
  return summary;
}

/** A signature part (MLflow stores each as a JSON string): column specs, tensor specs or params. */
export function signatureColumns(value: unknown): SignatureColumn[] {
  if (value === undefined || value === null || value === '') return [];
  let list: unknown = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      return [{ name: '(unreadable)', type: value }];
    }
  }
  if (!Array.isArray(list)) return [];
  return list.map((item, index) => {
    const spec = (item ?? {}) as Record<string, unknown>;
    const tensor = spec['tensor-spec'] as { dtype?: string; shape?: unknown } | undefined;
    let type = String(spec.type ?? 'unknown');
    if (type === 'tensor' && tensor) type = `tensor ${tensor.dtype ?? ''} ${JSON.stringify(tensor.shape ?? [])}`.trim();
    if (spec.default !== undefined) type += ` = ${JSON.stringify(spec.default)}`;
    const column: SignatureColumn = { name: typeof spec.name === 'string' ? spec.name : `#${index}`, type };
    if (spec.required === false || spec.optional === true) column.optional = true;
    return column;
  });
}
