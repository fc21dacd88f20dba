import type { ModelVersionInput } from '../../shared/protocol/modelVersionProtocol';
import type { RunsTableInput } from '../../shared/protocol/runsTableProtocol';

/**
 * The arguments the panel commands accept, from the trees (nodes and the multi-selection), from
 * webviews and other commands (ids), or nothing from the palette (undefined here: the command then
 * asks with a quick pick).
 */

interface RunLike {
  kind: 'run';
  row: { run_id: string };
}

function isRunNode(value: unknown): value is RunLike {
  return !!value && typeof value === 'object' && (value as RunLike).kind === 'run' && typeof (value as RunLike).row?.run_id === 'string';
}

/** An ExperimentNode, an experiment id, ids, or `{ experimentIds, filter }`. */
export function runsTableInputOf(arg: unknown): RunsTableInput | undefined {
  if (typeof arg === 'string' && arg) return { experimentIds: [arg] };
  if (Array.isArray(arg)) {
    const ids = arg.map((a) => (typeof a === 'string' ? a : (a as { experiment?: { experiment_id?: string } })?.experiment?.experiment_id)).filter((id): id is string => !!id);
    return ids.length > 0 ? { experimentIds: [...new Set(ids)] } : undefined;
  }
  if (arg && typeof arg === 'object') {
    const node = arg as { kind?: string; experiment?: { experiment_id?: string }; experimentIds?: unknown; filter?: unknown };
    if (node.kind === 'experiment' && typeof node.experiment?.experiment_id === 'string') return { experimentIds: [node.experiment.experiment_id] };
    if (Array.isArray(node.experimentIds) && node.experimentIds.length > 0) {
      return { experimentIds: node.experimentIds.map(String), ...(typeof node.filter === 'string' && node.filter ? { filter: node.filter } : {}) };
    }
  }
  return undefined;
}

/**
 * Run ids from a RunNode (with the tree's multi-selection when the node is part of it, as the
 * tree's other commands do), a run id, or an array of ids or nodes. Duplicates are dropped.
 */
export function runIdsOf(arg: unknown, selection?: unknown): string[] {
  const idOf = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : isRunNode(value) ? value.row.run_id : undefined);
  let ids: (string | undefined)[] = [];
  if (Array.isArray(arg)) ids = arg.map(idOf);
  else if (isRunNode(arg)) {
    const selected = Array.isArray(selection) ? selection.filter(isRunNode) : [];
    ids = selected.some((n) => n.row.run_id === arg.row.run_id) ? selected.map((n) => n.row.run_id) : [arg.row.run_id];
  } else ids = [idOf(arg)];
  return [...new Set(ids.filter((id): id is string => !!id))];
}

/** A VersionNode, `{ name, version }`, or `{ model, version: { version } }`. */
export function modelVersionInputOf(arg: unknown): ModelVersionInput | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const value = arg as { kind?: string; model?: unknown; name?: unknown; version?: unknown };
  if (value.kind === 'modelVersion' && typeof value.model === 'string' && value.version && typeof value.version === 'object') {
    const version = (value.version as { version?: unknown }).version;
    if (typeof version === 'string' || typeof version === 'number') return { name: value.model, version: String(version) };
  }
  if (typeof value.name === 'string' && value.name && (typeof value.version === 'string' || typeof value.version === 'number')) {
    return { name: value.name, version: String(value.version) };
  }
  return undefined;
}
