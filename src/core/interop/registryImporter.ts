import { TrackingError } from '../store/trackingError';
import type { ImportProgress } from './importSummary';
import { DELETED_VERSION_STAGE, type SourceModelVersion, type SourceRegisteredModel } from './mlflowSource';
import type { ImportModelVersionRequest, RegistryTarget } from './registryTarget';
import { yieldToEventLoop, type ImportContext } from './runImporter';

/**
 * Imports registered models with their tags, then each version with its own number, source,
 * run, description, status, tags and stage, then the aliases. Models and versions already here
 * are left as they are (counted as skipped), so importing the same source twice adds nothing.
 */
export async function importRegistry(
  ctx: ImportContext,
  target: RegistryTarget,
  progress: (p: ImportProgress) => void,
): Promise<void> {
  const { summary } = ctx;
  const models = ctx.source.registeredModels();
  const seen = new Set<string>();
  for (let i = 0; i < models.length; i++) {
    const model = models[i];
    progress({ phase: 'models', done: i, total: models.length, message: `Registered model ${i + 1} of ${models.length}: ${model.name}` });
    if (seen.has(model.name)) {
      summary.models.skipped++;
      summary.skipped.push({
        what: `registered model '${model.name}' of workspace '${model.workspace ?? ''}'`,
        why: 'a model of the same name from another MLflow workspace was imported first; Trackside has no workspaces',
      });
      continue;
    }
    seen.add(model.name);
    try {
      importModel(ctx, target, model);
    } catch (e) {
      if (!(e instanceof TrackingError)) throw e;
      summary.models.skipped++;
      summary.skipped.push({ what: `registered model '${model.name}'`, why: e.message });
    }
    await yieldToEventLoop();
    ctx.signal?.throwIfAborted();
  }
  if (models.length > 0) progress({ phase: 'models', done: models.length, total: models.length, message: 'Registered models imported' });
}

function importModel(ctx: ImportContext, target: RegistryTarget, model: SourceRegisteredModel): void {
  const { summary } = ctx;
  const current = lookup(() => target.getRegisteredModel({ name: model.name }));
  if (current !== undefined) {
    summary.models.skipped++;
  } else {
    const req: { name: string; description?: string; tags?: { key: string; value: string }[] } = { name: model.name, tags: model.tags };
    if (model.description) req.description = model.description;
    target.createRegisteredModel(req);
    summary.models.imported++;
  }
  const imported = new Set<number>();
  for (const version of ctx.source.modelVersions(model)) {
    const what = `version ${version.version} of registered model '${model.name}'`;
    if (version.currentStage === DELETED_VERSION_STAGE) {
      summary.versions.skipped++;
      summary.skipped.push({ what, why: 'it was deleted in MLflow' });
      continue;
    }
    if (exists(() => target.getModelVersion({ name: model.name, version: String(version.version) }))) {
      summary.versions.skipped++;
      imported.add(version.version);
      continue;
    }
    try {
      target.importModelVersion(versionRequest(ctx, version));
      if (version.currentStage && version.currentStage !== 'None') {
        target.transitionModelVersionStage({
          name: model.name,
          version: String(version.version),
          stage: version.currentStage,
          archive_existing_versions: false,
        });
      }
      summary.versions.imported++;
      imported.add(version.version);
    } catch (e) {
      if (!(e instanceof TrackingError)) throw e;
      summary.versions.skipped++;
      summary.skipped.push({ what, why: e.message });
    }
  }
  const aliasesHere = currentAliases(current);
  for (const { alias, version } of model.aliases) {
    if (aliasesHere.get(alias) === version) continue;
    if (!imported.has(version)) {
      summary.skipped.push({ what: `alias '${alias}' of registered model '${model.name}'`, why: `its version ${version} was not imported` });
      continue;
    }
    try {
      target.setRegisteredModelAlias({ name: model.name, alias, version: String(version) });
    } catch (e) {
      if (!(e instanceof TrackingError)) throw e;
      summary.skipped.push({ what: `alias '${alias}' of registered model '${model.name}'`, why: e.message });
    }
  }
}

function versionRequest(ctx: ImportContext, version: SourceModelVersion): ImportModelVersionRequest {
  const req: ImportModelVersionRequest = { name: version.name, version: version.version, source: movedSource(ctx, version) };
  if (version.runId) req.run_id = version.runId;
  if (version.runLink) req.run_link = version.runLink;
  if (version.description) req.description = version.description;
  if (version.userId) req.user_id = version.userId;
  if (version.status) req.status = version.status;
  if (version.statusMessage) req.status_message = version.statusMessage;
  if (version.storageLocation) req.storage_location = version.storageLocation;
  if (version.creationTime !== null) req.creation_timestamp = version.creationTime;
  if (version.lastUpdatedTime !== null) req.last_updated_timestamp = version.lastUpdatedTime;
  if (version.tags.length > 0) req.tags = version.tags;
  return req;
}

/** A version whose source lies in a run's copied artifacts points at the copy. */
function movedSource(ctx: ImportContext, version: SourceModelVersion): string {
  const source = version.source ?? '';
  const move = version.runId ? ctx.artifactMoves.get(version.runId) : undefined;
  if (move && move.from && (source === move.from || source.startsWith(`${move.from.replace(/\/+$/, '')}/`))) {
    return move.to + source.slice(move.from.replace(/\/+$/, '').length);
  }
  return source;
}

function exists(find: () => unknown): boolean {
  return lookup(find) !== undefined;
}

/** What `find` returns, or undefined when it answers RESOURCE_DOES_NOT_EXIST. */
function lookup(find: () => unknown): unknown {
  try {
    return find() ?? {};
  } catch (e) {
    if (e instanceof TrackingError && e.code === 'RESOURCE_DOES_NOT_EXIST') return undefined;
    throw e;
  }
}

/** Alias → version of a GetRegisteredModel answer (`{ registered_model: { aliases } }` or the model itself). */
function currentAliases(answer: unknown): Map<string, number> {
  const model = (answer as { registered_model?: unknown } | undefined)?.registered_model ?? answer;
  const aliases = (model as { aliases?: unknown } | undefined)?.aliases;
  const found = new Map<string, number>();
  if (Array.isArray(aliases)) {
    for (const a of aliases as { alias?: unknown; version?: unknown }[]) {
      if (typeof a?.alias === 'string') found.set(a.alias, Number(a.version));
    }
  }
  return found;
}
