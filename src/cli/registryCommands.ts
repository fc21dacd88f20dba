import type { ModelVersion, RegisteredModel } from '../shared/entities';
import { describeRegistryEvent } from '../shared/registryEvents';
import { UsageError, optionList, optionString, type OptionSpec, type ParsedArgs } from './argParser';
import type { CliCommand } from './cliCommand';
import { CONNECTION_NOTES, CONNECTION_OPTIONS, JSON_OPTION, printJson, withClient } from './clientConnection';
import type { CliCommandGroup } from './commandGroup';
import { flag, positiveInteger, requireOption } from './optionValues';
import { formatTable, formatTime } from './tableFormat';
import { filterString } from '../core/search/filterLiteral';

// `trackside models list|describe|create|rename|delete`, `models versions …`, `models alias …`,
// `models transition` and `models history`: the model registry from a terminal, like MLflow's
// MlflowClient registry methods, against the local store or any MLflow tracking server.

const NAME: OptionSpec = { name: 'name', alias: 'n', value: 'NAME', description: 'The registered model (e.g. churn or main.ml.churn)' };
const VERSION: OptionSpec = { name: 'version', alias: 'v', value: 'N', description: 'The version number' };
const DESCRIPTION: OptionSpec = { name: 'description', alias: 'd', value: 'TEXT', description: 'A description' };
const TAG: OptionSpec = { name: 'tag', alias: 't', value: 'KEY=VALUE', repeat: true, description: 'A tag (repeat for each)' };
const FILTER: OptionSpec = { name: 'filter', value: 'FILTER', description: "MLflow filter, e.g. \"name LIKE 'churn%'\" or \"tags.team = 'ml'\"" };
const ORDER_BY: OptionSpec = { name: 'order-by', value: 'ORDER', repeat: true, description: "e.g. 'name ASC', 'last_updated_timestamp DESC' (repeatable)" };
const MAX_RESULTS: OptionSpec = { name: 'max-results', value: 'N', description: 'At most N results (default: all)' };
const STAGES = ['None', 'Staging', 'Production', 'Archived'];

/** `--tag key=value` options as a record; a usage error for one without `=`. */
function tagOptions(args: ParsedArgs): Record<string, string> {
  const tags: Record<string, string> = {};
  const given = args.options.tag;
  for (const text of Array.isArray(given) ? given : []) {
    const eq = text.indexOf('=');
    if (eq <= 0) throw new UsageError(`--tag takes KEY=VALUE, got '${text}'.`);
    tags[text.slice(0, eq)] = text.slice(eq + 1);
  }
  return tags;
}

/** A version number option: a positive whole number, as MLflow numbers versions. */
function versionOption(args: ParsedArgs, name = 'version'): string {
  const text = requireOption(args, name);
  if (!/^[1-9]\d*$/.test(text.trim())) throw new UsageError(`--${name} must be a version number such as 3, got '${text}'.`);
  return text.trim();
}

/** MLflow's stage names, case-insensitively (`production` → `Production`). */
function stageOption(args: ParsedArgs): string {
  const text = requireOption(args, 'stage');
  const stage = STAGES.find((s) => s.toLowerCase() === text.trim().toLowerCase());
  if (!stage) throw new UsageError(`--stage must be one of ${STAGES.join(', ')}, got '${text}'.`);
  return stage;
}

/** The highest version number among the model's latest versions per stage ('' when it has none). */
function latestVersion(model: RegisteredModel): string {
  const highest = Math.max(0, ...(model.latest_versions ?? []).map((v) => Number(v.version)));
  return highest > 0 ? String(highest) : '';
}

function versionBadges(version: ModelVersion): string {
  return [...(version.aliases ?? []).map((a) => `@${a}`), ...(version.current_stage && version.current_stage !== 'None' ? [version.current_stage] : [])].join(' ');
}

function versionsTable(versions: readonly ModelVersion[], withName: boolean): string {
  return formatTable(
    [
      ...(withName ? [{ header: 'Name', keep: true }] : []),
      { header: 'Version', right: true, keep: true },
      { header: 'Stage' },
      { header: 'Aliases' },
      { header: 'Run Id', keep: true },
      { header: 'Created' },
      { header: 'Source' },
    ],
    versions.map((v) => [
      ...(withName ? [v.name] : []),
      v.version,
      v.current_stage ?? 'None',
      (v.aliases ?? []).map((a) => `@${a}`).join(' '),
      v.run_id ?? '',
      formatTime(v.creation_timestamp),
      v.source,
    ]),
  );
}

function tagLines(tags: readonly { key: string; value: string }[] | undefined): string[] {
  return (tags ?? []).map((t) => `  ${t.key} = ${t.value}`);
}

const list: CliCommand = {
  spec: {
    name: 'models list',
    summary: 'List registered models with their aliases and latest versions.',
    usage: 'trackside models list [--filter F] [--order-by O] [--max-results N] [--json]',
    options: [FILTER, ORDER_BY, MAX_RESULTS, JSON_OPTION, ...CONNECTION_OPTIONS],
  },
  async run(args, io) {
    const models = await withClient(args, io, (client) =>
      client.registeredModels.searchAll({ filter: optionString(args, 'filter'), orderBy: optionList(args, 'order-by'), maxResults: positiveInteger(args, 'max-results') }),
    );
    if (flag(args, 'json')) return printJson(io, { registered_models: models }), 0;
    if (models.length === 0) return io.out('No registered models.'), 0;
    io.out(
      formatTable(
        [{ header: 'Name', keep: true }, { header: 'Latest', right: true }, { header: 'Aliases' }, { header: 'Updated' }, { header: 'Description' }],
        models.map((m) => [
          m.name,
          latestVersion(m),
          (m.aliases ?? []).map((a) => `@${a.alias}→v${a.version}`).join(' '),
          formatTime(m.last_updated_timestamp),
          m.description ?? '',
        ]),
      ),
    );
    return 0;
  },
};

const describe: CliCommand = {
  spec: {
    name: 'models describe',
    summary: 'Show a registered model: description, tags, aliases and every version.',
    usage: 'trackside models describe --name NAME [--json]',
    options: [NAME, JSON_OPTION, ...CONNECTION_OPTIONS],
  },
  async run(args, io) {
    const name = requireOption(args, 'name');
    const { model, versions } = await withClient(args, io, async (client) => {
      const model = await client.registeredModels.get(name);
      return { model, versions: await client.modelVersions.listForModel(name) };
    });
    if (flag(args, 'json')) return printJson(io, { registered_model: model, model_versions: versions }), 0;
    io.out(`Name:        ${model.name}`);
    io.out(`Created:     ${formatTime(model.creation_timestamp)}`);
    io.out(`Updated:     ${formatTime(model.last_updated_timestamp)}`);
    if (model.description) io.out(`Description: ${model.description}`);
    const aliases = (model.aliases ?? []).map((a) => `@${a.alias} → v${a.version}`);
    if (aliases.length) io.out(`Aliases:     ${aliases.join(', ')}`);
    if (model.tags?.length) io.out(['Tags:', ...tagLines(model.tags)].join('\n'));
    io.out('');
    io.out(versions.length ? versionsTable(versions, false) : 'No versions yet: register one with trackside models versions create.');
    return 0;
  },
};

const create: CliCommand = {
  spec: {
    name: 'models create',
    summary: 'Register a model name (versions are added with `models versions create`).',
    usage: 'trackside models create --name NAME [--description TEXT] [--tag KEY=VALUE]… [--json]',
    options: [NAME, DESCRIPTION, TAG, JSON_OPTION, ...CONNECTION_OPTIONS],
  },
  async run(args, io) {
    const name = requireOption(args, 'name');
    const tags = tagOptions(args);
    const model = await withClient(args, io, (client) => client.registeredModels.create(name, { description: optionString(args, 'description'), tags }));
    if (flag(args, 'json')) printJson(io, { registered_model: model });
    else io.out(`Registered model '${model.name}'.`);
    return 0;
  },
};

const rename: CliCommand = {
  spec: {
    name: 'models rename',
    summary: 'Rename a registered model; its versions and aliases follow.',
    usage: 'trackside models rename --name NAME --new-name NEW [--json]',
    options: [NAME, { name: 'new-name', value: 'NEW', description: 'The new name' }, JSON_OPTION, ...CONNECTION_OPTIONS],
  },
  async run(args, io) {
    const name = requireOption(args, 'name');
    const newName = requireOption(args, 'new-name');
    const model = await withClient(args, io, (client) => client.registeredModels.rename(name, newName));
    if (flag(args, 'json')) printJson(io, { registered_model: model });
    else io.out(`Registered model '${name}' renamed to '${model.name}'.`);
    return 0;
  },
};

const remove: CliCommand = {
  spec: {
    name: 'models delete',
    summary: 'Delete a registered model with all its versions, aliases and tags (run artifacts stay).',
    usage: 'trackside models delete --name NAME [--json]',
    options: [NAME, JSON_OPTION, ...CONNECTION_OPTIONS],
  },
  async run(args, io) {
    const name = requireOption(args, 'name');
    await withClient(args, io, (client) => client.registeredModels.delete(name));
    if (flag(args, 'json')) printJson(io, {});
    else io.out(`Registered model '${name}' deleted.`);
    return 0;
  },
};

const transition: CliCommand = {
  spec: {
    name: 'models transition',
    summary: 'Move a version to a stage (None, Staging, Production, Archived), like transition_model_version_stage.',
    usage: 'trackside models transition --name NAME --version N --stage STAGE [--archive-existing-versions] [--json]',
    options: [
      NAME,
      VERSION,
      { name: 'stage', alias: 's', value: 'STAGE', description: 'None, Staging, Production or Archived' },
      { name: 'archive-existing-versions', description: 'Move the versions now in that stage to Archived' },
      JSON_OPTION,
      ...CONNECTION_OPTIONS,
    ],
  },
  async run(args, io) {
    const name = requireOption(args, 'name');
    const version = versionOption(args);
    const stage = stageOption(args);
    const archive = flag(args, 'archive-existing-versions');
    const moved = await withClient(args, io, (client) => client.modelVersions.transitionStage(name, version, stage, archive));
    if (flag(args, 'json')) printJson(io, { model_version: moved });
    else io.out(`${name} v${moved.version} is now in ${moved.current_stage}${archive && stage !== 'None' && stage !== 'Archived' ? ' (other versions there were archived)' : ''}.`);
    return 0;
  },
};

const history: CliCommand = {
  spec: {
    name: 'models history',
    summary: "A model's stage and alias history (which version was Production on 3 March?).",
    usage: 'trackside models history --name NAME [--at TIME (--stage STAGE | --alias ALIAS)] [--json]',
    options: [
      NAME,
      { name: 'at', value: 'TIME', description: 'Answer for this moment: ISO date/time (2026-03-03T17:00) or ms since the epoch' },
      { name: 'stage', alias: 's', value: 'STAGE', description: 'With --at: which version was in this stage' },
      { name: 'alias', alias: 'a', value: 'ALIAS', description: 'With --at: which version this alias pointed to' },
      JSON_OPTION,
      ...CONNECTION_OPTIONS,
    ],
  },
  async run(args, io) {
    const name = requireOption(args, 'name');
    const at = optionString(args, 'at');
    const alias = optionString(args, 'alias');
    const hasStage = optionString(args, 'stage') !== undefined;
    if (at === undefined) {
      if (alias !== undefined || hasStage) throw new UsageError('--stage and --alias ask about a moment: give --at TIME too.');
      const events = await withClient(args, io, (client) => client.registryHistory(name));
      if (flag(args, 'json')) return printJson(io, { events }), 0;
      if (events.length === 0) return io.out(`No history recorded for '${name}'.`), 0;
      io.out(formatTable([{ header: 'When' }, { header: 'What' }, { header: 'User' }], events.map((e) => [formatTime(e.timestamp), describeRegistryEvent(e), e.user_id ?? ''])));
      return 0;
    }
    if ((alias === undefined) === !hasStage) throw new UsageError('With --at, give exactly one of --stage or --alias.');
    const time = /^\d+$/.test(at.trim()) ? Number(at) : at;
    if (alias !== undefined) {
      const answer = await withClient(args, io, (client) => client.aliasAt(name, alias, time));
      if (flag(args, 'json')) return printJson(io, answer), 0;
      io.out(answer.version === undefined ? `@${alias} pointed to no version of ${name} at ${at}.` : `@${alias} pointed to ${name} v${answer.version} at ${at}.`);
      return 0;
    }
    const stage = stageOption(args);
    const answer = await withClient(args, io, (client) => client.stageAt(name, stage, time));
    if (flag(args, 'json')) return printJson(io, answer), 0;
    if (answer.version === undefined) io.out(`No version of ${name} was in ${stage} at ${at}.`);
    else io.out(`${name} v${answer.version} was in ${stage} at ${at}${answer.versions.length > 1 ? ` (with ${answer.versions.filter((v) => v !== answer.version).map((v) => `v${v}`).join(', ')})` : ''}.`);
    return 0;
  },
};

const versionsList: CliCommand = {
  spec: {
    name: 'models versions list',
    summary: "List versions: one model's (--name) or any that match a filter.",
    usage: 'trackside models versions list [--name NAME | --filter F] [--order-by O] [--max-results N] [--json]',
    options: [NAME, { ...FILTER, description: "MLflow filter, e.g. \"run_id = '…'\" or \"tags.validated = 'yes'\"" }, ORDER_BY, MAX_RESULTS, JSON_OPTION, ...CONNECTION_OPTIONS],
  },
  async run(args, io) {
    const name = optionString(args, 'name');
    const given = optionString(args, 'filter');
    const byName = name === undefined ? undefined : `name = ${filterString(name)}`;
    const filter = [byName, given].filter((f) => f !== undefined).join(' AND ') || undefined;
    const orderBy = optionList(args, 'order-by');
    const versions = await withClient(args, io, (client) =>
      client.modelVersions.searchAll({ filter, orderBy: orderBy.length ? orderBy : ['name ASC', 'version_number DESC'], maxResults: positiveInteger(args, 'max-results') }),
    );
    if (flag(args, 'json')) return printJson(io, { model_versions: versions }), 0;
    io.out(versions.length ? versionsTable(versions, name === undefined) : 'No model versions.');
    return 0;
  },
};

const versionsCreate: CliCommand = {
  spec: {
    name: 'models versions create',
    summary: 'Register a new version from a run\u2019s model folder (runs:/<run>/model) or another source.',
    usage: 'trackside models versions create --name NAME --source URI [--run-id ID] [--description TEXT] [--tag KEY=VALUE]… [--json]',
    options: [
      NAME,
      { name: 'source', alias: 's', value: 'URI', description: 'runs:/<run>/<path>, models:/…, mlflow-artifacts:/… or a path' },
      { name: 'run-id', alias: 'r', value: 'ID', description: 'The run that produced it (found from a runs:/ source when not given)' },
      DESCRIPTION,
      TAG,
      JSON_OPTION,
      ...CONNECTION_OPTIONS,
    ],
  },
  async run(args, io) {
    const name = requireOption(args, 'name');
    const source = requireOption(args, 'source');
    const runId = optionString(args, 'run-id') ?? /^runs:\/([0-9a-f]{32})\//i.exec(source)?.[1];
    const tags = tagOptions(args);
    const version = await withClient(args, io, (client) => client.modelVersions.create(name, source, { runId, description: optionString(args, 'description'), tags }));
    if (flag(args, 'json')) printJson(io, { model_version: version });
    else io.out(`Registered ${name} v${version.version} from ${source}.`);
    return 0;
  },
};

const versionsDescribe: CliCommand = {
  spec: {
    name: 'models versions describe',
    summary: 'Show one version: stage, aliases, source, run, tags and where its files are.',
    usage: 'trackside models versions describe --name NAME --version N [--json]',
    options: [NAME, VERSION, JSON_OPTION, ...CONNECTION_OPTIONS],
  },
  async run(args, io) {
    const name = requireOption(args, 'name');
    const number = versionOption(args);
    const { version, uri } = await withClient(args, io, async (client) => {
      const version = await client.modelVersions.get(name, number);
      return { version, uri: await client.modelVersions.getDownloadUri(name, number) };
    });
    if (flag(args, 'json')) return printJson(io, { model_version: version, artifact_uri: uri }), 0;
    const lines = [
      `Model:       ${version.name} v${version.version}${versionBadges(version) ? `  ${versionBadges(version)}` : ''}`,
      `Stage:       ${version.current_stage ?? 'None'}`,
      `Status:      ${version.status}`,
      `Created:     ${formatTime(version.creation_timestamp)}`,
      `Updated:     ${formatTime(version.last_updated_timestamp)}`,
      `Source:      ${version.source}`,
      `Files:       ${uri}`,
      ...(version.run_id ? [`Run:         ${version.run_id}`] : []),
      ...(version.description ? [`Description: ${version.description}`] : []),
      ...(version.tags?.length ? ['Tags:', ...tagLines(version.tags)] : []),
    ];
    io.out(lines.join('\n'));
    return 0;
  },
};

const versionsUpdate: CliCommand = {
  spec: {
    name: 'models versions update',
    summary: "Change a version's description, or set tags on it.",
    usage: 'trackside models versions update --name NAME --version N [--description TEXT] [--tag KEY=VALUE]… [--json]',
    options: [NAME, VERSION, DESCRIPTION, TAG, JSON_OPTION, ...CONNECTION_OPTIONS],
  },
  async run(args, io) {
    const name = requireOption(args, 'name');
    const number = versionOption(args);
    const description = optionString(args, 'description');
    const tags = tagOptions(args);
    if (description === undefined && Object.keys(tags).length === 0) throw new UsageError('Nothing to change: give --description and/or --tag.');
    const version = await withClient(args, io, async (client) => {
      if (description !== undefined) await client.modelVersions.update(name, number, { description });
      for (const [key, value] of Object.entries(tags)) await client.modelVersions.setTag(name, number, key, value);
      return client.modelVersions.get(name, number);
    });
    if (flag(args, 'json')) printJson(io, { model_version: version });
    else io.out(`Updated ${name} v${version.version}.`);
    return 0;
  },
};

const versionsDelete: CliCommand = {
  spec: {
    name: 'models versions delete',
    summary: 'Delete a version (its aliases go with it; its number is never reused).',
    usage: 'trackside models versions delete --name NAME --version N [--json]',
    options: [NAME, VERSION, JSON_OPTION, ...CONNECTION_OPTIONS],
  },
  async run(args, io) {
    const name = requireOption(args, 'name');
    const number = versionOption(args);
    await withClient(args, io, (client) => client.modelVersions.delete(name, number));
    if (flag(args, 'json')) printJson(io, {});
    else io.out(`Deleted ${name} v${number}.`);
    return 0;
  },
};

const aliasSet: CliCommand = {
  spec: {
    name: 'models alias set',
    summary: 'Point an alias at a version (moving it if it pointed elsewhere): models:/NAME@ALIAS.',
    usage: 'trackside models alias set --name NAME --alias ALIAS --version N [--json]',
    options: [NAME, { name: 'alias', alias: 'a', value: 'ALIAS', description: 'e.g. champion (not "latest", not v<digits>)' }, VERSION, JSON_OPTION, ...CONNECTION_OPTIONS],
  },
  async run(args, io) {
    const name = requireOption(args, 'name');
    const alias = requireOption(args, 'alias');
    const version = versionOption(args);
    const before = await withClient(args, io, async (client) => {
      const model = await client.registeredModels.get(name);
      await client.registeredModels.setAlias(name, alias, version);
      return model.aliases?.find((a) => a.alias === alias)?.version;
    });
    if (flag(args, 'json')) return printJson(io, { name, alias, version, previous_version: before }), 0;
    io.out(before !== undefined && before !== version ? `models:/${name}@${alias} moved from v${before} to v${version}.` : `models:/${name}@${alias} → v${version}.`);
    return 0;
  },
};

const aliasDelete: CliCommand = {
  spec: {
    name: 'models alias delete',
    summary: 'Remove an alias from a model.',
    usage: 'trackside models alias delete --name NAME --alias ALIAS [--json]',
    options: [NAME, { name: 'alias', alias: 'a', value: 'ALIAS', description: 'The alias to remove' }, JSON_OPTION, ...CONNECTION_OPTIONS],
  },
  async run(args, io) {
    const name = requireOption(args, 'name');
    const alias = requireOption(args, 'alias');
    await withClient(args, io, (client) => client.registeredModels.deleteAlias(name, alias));
    if (flag(args, 'json')) printJson(io, {});
    else io.out(`Removed @${alias} from ${name}.`);
    return 0;
  },
};

/** `trackside models versions list|create|describe|update|delete`. */
export const versionsCommand: CliCommandGroup = {
  name: 'models versions',
  summary: "List, register, describe, update and delete a model's versions.",
  subcommands: [versionsList, versionsCreate, versionsDescribe, versionsUpdate, versionsDelete],
  notes: CONNECTION_NOTES,
};

/** `trackside models alias set|delete`. */
export const aliasCommand: CliCommandGroup = {
  name: 'models alias',
  summary: 'Set or remove an alias (models:/NAME@ALIAS).',
  subcommands: [aliasSet, aliasDelete],
  notes: CONNECTION_NOTES,
};

/** The registry subcommands of `trackside models`, before the scoring ones. */
export const registrySubcommands: (CliCommand | CliCommandGroup)[] = [list, describe, create, rename, remove, versionsCommand, aliasCommand, transition, history];
