/**
 * The arguments the interop commands accept: from the trees (a node and the multi-selection),
 * from other code and tests (an object that skips the prompts), or nothing from the palette.
 * No `vscode` here, so the parsing is unit-tested.
 */

export type ArtifactMode = 'copy' | 'reference';

/** `trackside.importFromMlflow`'s argument `{ source, artifacts? }` (or a path), checked. */
export function importArgumentsOf(arg: unknown): { source?: string; artifacts?: ArtifactMode } {
  if (typeof arg === 'string' && arg.trim()) return { source: arg.trim() };
  if (!arg || typeof arg !== 'object') return {};
  const value = arg as { source?: unknown; artifacts?: unknown; fsPath?: unknown; scheme?: unknown };
  if (typeof value.fsPath === 'string' && value.scheme === 'file') return { source: value.fsPath };
  const source = typeof value.source === 'string' && value.source.trim() ? value.source.trim() : undefined;
  const artifacts = value.artifacts === 'copy' || value.artifacts === 'reference' ? value.artifacts : undefined;
  return { ...(source ? { source } : {}), ...(artifacts ? { artifacts } : {}) };
}

/** What `trackside.pushToServer` pushes and where; every field is optional (missing ones are asked). */
export interface PushArguments {
  target?: string;
  token?: string;
  experimentNames?: string[];
  runIds?: string[];
  models?: string[];
  includeDeleted?: boolean;
}

interface TreeNodeLike {
  kind?: unknown;
  experiment?: { name?: unknown };
  row?: { run_id?: unknown };
}

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? [...new Set(value.filter((v): v is string => typeof v === 'string' && v !== ''))] : undefined;

function isTreeNode(value: unknown): value is TreeNodeLike {
  const kind = (value as TreeNodeLike | undefined)?.kind;
  return kind === 'experiment' || kind === 'run';
}

/**
 * From a tree node (with the tree's multi-selection when the node is part of it): the experiments'
 * names and the runs' ids selected. From an object: its fields. Otherwise nothing (ask).
 */
export function pushArgumentsOf(arg: unknown, selection?: unknown): PushArguments {
  if (isTreeNode(arg)) {
    const selected = Array.isArray(selection) ? selection.filter(isTreeNode) : [];
    const nodes = selected.includes(arg) || selected.some((n) => sameNode(n, arg)) ? selected : [arg];
    const experimentNames = nodes.filter((n) => n.kind === 'experiment').map((n) => n.experiment?.name).filter((n): n is string => typeof n === 'string');
    const runIds = nodes.filter((n) => n.kind === 'run').map((n) => n.row?.run_id).filter((id): id is string => typeof id === 'string');
    return { ...(experimentNames.length ? { experimentNames: [...new Set(experimentNames)] } : {}), ...(runIds.length ? { runIds: [...new Set(runIds)] } : {}) };
  }
  if (!arg || typeof arg !== 'object' || Array.isArray(arg)) return {};
  const value = arg as Record<string, unknown>;
  const result: PushArguments = {};
  if (typeof value.target === 'string' && value.target.trim()) result.target = value.target.trim();
  if (typeof value.token === 'string') result.token = value.token;
  const experimentNames = strings(value.experimentNames);
  const runIds = strings(value.runIds);
  const models = strings(value.models);
  if (experimentNames) result.experimentNames = experimentNames;
  if (runIds) result.runIds = runIds;
  if (models) result.models = models;
  if (typeof value.includeDeleted === 'boolean') result.includeDeleted = value.includeDeleted;
  return result;
}

function sameNode(a: TreeNodeLike, b: TreeNodeLike): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind === 'run' ? a.row?.run_id === b.row?.run_id : a.experiment?.name === b.experiment?.name;
}

/**
 * Why `text` cannot be a push target (undefined when it can): an http(s) URL of a server other
 * than the store being pushed (`sourceUri`).
 */
export function pushTargetProblem(text: string, sourceUri?: string): string | undefined {
  const value = text.trim();
  if (value === '') return 'Enter the tracking URI of an MLflow server, e.g. https://mlflow.example.com';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Enter an http:// or https:// URL, e.g. https://mlflow.example.com';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${url.protocol} is not a tracking server: enter an http:// or https:// URL.`;
  if (!url.hostname) return 'The URL has no host name.';
  if (sourceUri && sameServer(value, sourceUri)) return 'That is the server of the store being pushed: enter another MLflow server.';
  return undefined;
}

/** Whether two tracking URIs name the same server (host, port and path; `localhost` is 127.0.0.1). */
export function sameServer(a: string, b: string): boolean {
  const key = (uri: string): string => {
    try {
      const url = new URL(uri);
      const host = url.hostname === 'localhost' ? '127.0.0.1' : url.hostname;
      const port = url.port || (url.protocol === 'https:' ? '443' : '80');
      return `${url.protocol}//${host}:${port}${url.pathname.replace(/\/+$/, '')}`;
    } catch {
      return uri.trim().replace(/\/+$/, '');
    }
  };
  return key(a) === key(b);
}

/** A tracking URI as the client names it: no credentials, no trailing slash (the key a target's token is kept under). */
export function serverUri(uri: string): string {
  try {
    const url = new URL(uri.trim());
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/+$/, '');
  } catch {
    return uri.trim().replace(/\/+$/, '');
  }
}
