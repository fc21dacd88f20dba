import type { ModelVersion, RegisteredModel, Run } from '../../shared/entities';
import { PUSH_TAGS } from './pushSummary';
import { changedTags, isMissing, isRefusal, pushableTags, recordedRemoteRun, tagValue, targetWrite, type PushContext } from './pushContext';

const quote = (name: string): string => `'${name.replace(/'/g, "\\'")}'`;

/**
 * Pushes registered models: each model (found or created by name, description and tags brought
 * level), each version not pushed before as a new version of the target's model — its number is
 * the target's to choose, so the local number goes in the `trackside.source_version` tag there
 * and the target's number in `trackside.push.<target>.version` here — with its source rewritten
 * to `runs:/<target run id>/<path>` when its run was pushed, then stages and aliases.
 */
export async function pushModels(ctx: PushContext, names: readonly string[]): Promise<void> {
  for (let i = 0; i < names.length; i++) {
    ctx.progress({ phase: 'models', done: i, total: names.length, message: `Registered model ${i + 1} of ${names.length}: ${names[i]}` });
    try {
      await pushModel(ctx, names[i]);
    } catch (e) {
      if (!isRefusal(e)) throw e;
      ctx.summary.skipped.push({ what: `registered model '${names[i]}'`, why: `the target refused it: ${e.message}` });
    }
  }
  if (names.length > 0) ctx.progress({ phase: 'models', done: names.length, total: names.length, message: 'Registered models pushed' });
}

async function pushModel(ctx: PushContext, name: string): Promise<void> {
  const local = await ctx.source.registeredModels.get(name);
  let remote = await findModel(ctx, name);
  const tags = pushableTags(local.tags);
  if (!remote) {
    remote = await targetWrite(ctx, () => ctx.target.registeredModels.create(name, { description: local.description, tags }));
    ctx.summary.models.created++;
  } else {
    ctx.summary.models.existing++;
    if ((local.description ?? '') !== (remote.description ?? '')) {
      await targetWrite(ctx, () => ctx.target.registeredModels.update(name, { description: local.description ?? '' }));
    }
    for (const tag of changedTags(tags, remote.tags)) await targetWrite(ctx, () => ctx.target.registeredModels.setTag(name, tag.key, tag.value));
  }

  const localVersions = (await ctx.source.modelVersions.searchAll({ filter: `name=${quote(name)}` })).sort((a, b) => Number(a.version) - Number(b.version));
  const remoteVersions = await ctx.target.modelVersions.searchAll({ filter: `name=${quote(name)}` });
  const bySource = new Map(remoteVersions.map((v) => [tagValue(v.tags, PUSH_TAGS.sourceVersion), v]));
  const versionMap = new Map<string, string>();
  for (const version of localVersions) {
    const pushed = bySource.get(version.version) ?? recordedVersion(ctx, version, remoteVersions);
    const target = pushed ? await updateVersion(ctx, version, pushed) : await createVersion(ctx, version);
    if (!target) continue;
    versionMap.set(version.version, target.version);
    if (tagValue(version.tags, PUSH_TAGS.version(ctx.targetKey)) !== target.version) {
      await ctx.source.modelVersions.setTag(name, version.version, PUSH_TAGS.version(ctx.targetKey), target.version);
    }
  }

  const remoteAliases = new Map((remote.aliases ?? []).map((a) => [a.alias, String(a.version)]));
  for (const { alias, version } of local.aliases ?? []) {
    const targetVersion = versionMap.get(String(version));
    if (!targetVersion) {
      ctx.summary.skipped.push({ what: `alias '${alias}' of registered model '${name}'`, why: `its version ${version} was not pushed` });
      continue;
    }
    if (remoteAliases.get(alias) !== targetVersion) await targetWrite(ctx, () => ctx.target.registeredModels.setAlias(name, alias, targetVersion));
  }
}

async function findModel(ctx: PushContext, name: string): Promise<RegisteredModel | undefined> {
  try {
    return await ctx.target.registeredModels.get(name);
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

/** The target's version whose number is recorded on the local version (when its source tag was lost). */
function recordedVersion(ctx: PushContext, version: ModelVersion, remoteVersions: ModelVersion[]): ModelVersion | undefined {
  const recorded = tagValue(version.tags, PUSH_TAGS.version(ctx.targetKey));
  const found = recorded ? remoteVersions.find((v) => v.version === recorded) : undefined;
  return found && tagValue(found.tags, PUSH_TAGS.sourceVersion) === undefined ? found : undefined;
}

async function createVersion(ctx: PushContext, version: ModelVersion): Promise<ModelVersion | undefined> {
  const what = `version ${version.version} of registered model '${version.name}'`;
  const runId = version.run_id ? await remoteRunOf(ctx, version.run_id) : undefined;
  let source = version.source;
  if (version.run_id && runId) {
    const relative = await sourcePathInRun(ctx, version);
    if (relative !== undefined) source = `runs:/${runId}${relative ? `/${relative}` : ''}`;
    else ctx.summary.notes.push(`${what} keeps its source ${version.source}: it is not inside the artifacts of run ${version.run_id}.`);
  } else if (version.run_id) {
    ctx.summary.skipped.push({
      what: `the run link of ${what}`,
      why: `its run ${version.run_id} was not pushed to this target; the version keeps its source ${version.source}`,
    });
  }
  const tags = [...pushableTags(version.tags), { key: PUSH_TAGS.sourceVersion, value: version.version }];
  let created: ModelVersion;
  try {
    created = await targetWrite(ctx, () => ctx.target.modelVersions.create(version.name, source, { runId, description: version.description, tags }));
  } catch (e) {
    if (!isRefusal(e)) throw e;
    ctx.summary.skipped.push({ what, why: `the target refused it: ${e.message}` });
    return undefined;
  }
  ctx.summary.versions.created++;
  if (version.current_stage !== 'None') {
    await targetWrite(ctx, () => ctx.target.modelVersions.transitionStage(version.name, created.version, version.current_stage, false));
  }
  return created;
}

async function updateVersion(ctx: PushContext, version: ModelVersion, remote: ModelVersion): Promise<ModelVersion> {
  const before = ctx.summary.writes;
  if ((version.description ?? '') !== (remote.description ?? '')) {
    await targetWrite(ctx, () => ctx.target.modelVersions.update(version.name, remote.version, { description: version.description ?? '' }));
  }
  const wanted = [...pushableTags(version.tags), { key: PUSH_TAGS.sourceVersion, value: version.version }];
  for (const tag of changedTags(wanted, remote.tags)) {
    await targetWrite(ctx, () => ctx.target.modelVersions.setTag(version.name, remote.version, tag.key, tag.value));
  }
  if (version.current_stage !== remote.current_stage) {
    await targetWrite(ctx, () => ctx.target.modelVersions.transitionStage(version.name, remote.version, version.current_stage, false));
  }
  if (ctx.summary.writes > before) ctx.summary.versions.updated++;
  else ctx.summary.versions.unchanged++;
  return remote;
}

/** The target's id of a local run: pushed in this push, or recorded on the run by an earlier one. */
async function remoteRunOf(ctx: PushContext, localRunId: string): Promise<string | undefined> {
  const known = ctx.remoteRunIds.get(localRunId);
  if (known) return known;
  let run: Run;
  try {
    run = await ctx.source.runs.get(localRunId);
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
  const recorded = recordedRemoteRun(ctx, run);
  if (recorded) ctx.remoteRunIds.set(localRunId, recorded);
  return recorded;
}

/** The version's path inside its run's artifacts (`model`), from a `runs:/` source or one below the run's artifact URI. */
async function sourcePathInRun(ctx: PushContext, version: ModelVersion): Promise<string | undefined> {
  const runId = version.run_id!;
  const runsUri = /^runs:\/+([^/]+)(?:\/(.*))?$/.exec(version.source);
  if (runsUri) return runsUri[1] === runId ? (runsUri[2] ?? '').replace(/^\/+|\/+$/g, '') : undefined;
  let artifactUri: string;
  try {
    artifactUri = (await ctx.source.runs.get(runId)).info.artifact_uri.replace(/\/+$/, '');
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
  if (version.source === artifactUri) return '';
  return version.source.startsWith(`${artifactUri}/`) ? version.source.slice(artifactUri.length + 1).replace(/\/+$/, '') : undefined;
}
