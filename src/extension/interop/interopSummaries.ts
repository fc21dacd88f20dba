import path from 'node:path';
import type { ImportSummary } from '../../core/interop/importSummary';
import type { PushSummary } from '../../core/interop/pushSummary';

/**
 * What an import or a push did, for people: one sentence for the notification and a Markdown
 * report with every skipped item and why. No `vscode` here, so the wording is unit-tested.
 */

const count = (n: number): string => n.toLocaleString('en-US');
const plural = (n: number, one: string, many = `${one}s`): string => `${count(n)} ${n === 1 ? one : many}`;

/** Text safe inside Markdown prose and table cells (names may hold `*`, `_`, `|`, `<`). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function listSection(title: string, items: readonly string[], empty?: string): string[] {
  if (items.length === 0) return empty ? ['', `## ${title}`, '', empty] : [];
  return ['', `## ${title}`, '', ...items.map((item) => `- ${item}`)];
}

/** The source's file or folder name (`mlflow.db`, `mlruns`). */
function sourceName(summary: ImportSummary): string {
  return path.basename(summary.source.location) || summary.source.location;
}

/** The import's one-line notification: what came in, and how much was skipped. */
export function importSummaryMessage(summary: ImportSummary, cancelled = false): string {
  const { experiments, runs, models, versions } = summary;
  const from = sourceName(summary);
  const stopped = cancelled ? 'Import stopped: ' : '';
  if (runs.imported === 0 && experiments.imported === 0 && models.imported === 0 && versions.imported === 0) {
    const before = runs.skipped > 0 ? ` (${plural(runs.skipped, 'run')} skipped: see the details)` : '';
    return `${stopped}Nothing new to import from ${from}${before}.`;
  }
  const parts = [`${plural(runs.imported, 'run')} in ${plural(experiments.imported, 'new experiment')}`];
  if (models.imported > 0 || versions.imported > 0) parts.push(`${plural(models.imported, 'registered model')} (${plural(versions.imported, 'version')})`);
  const skipped = summary.skipped.length > 0 ? `; ${plural(summary.skipped.length, 'item')} skipped` : '';
  return `${stopped}Imported ${parts.join(' and ')} from ${from}${skipped}.`;
}

/** The import's report: counts, artifacts, every skipped item and why, notes. */
export function importSummaryMarkdown(summary: ImportSummary, cancelled = false): string {
  const { copied, referenced, missing } = summary.artifacts;
  const lines = [
    `# Import from MLflow${cancelled ? ' (stopped)' : ''}`,
    '',
    `Source: ${escapeMarkdown(summary.source.description)}  `,
    `Location: \`${summary.source.location.replace(/`/g, "'")}\``,
  ];
  if (cancelled) lines.push('', 'The import was cancelled. What was imported before stays; importing the same source again continues where it stopped.');
  lines.push(
    '',
    ...table(
      ['What', 'Imported', 'Skipped'],
      [
        ['Experiments', count(summary.experiments.imported), count(summary.experiments.skipped)],
        ['Runs', count(summary.runs.imported), count(summary.runs.skipped)],
        ['Metric points', count(summary.metrics), ''],
        ['Params', count(summary.params), ''],
        ['Run tags', count(summary.tags), ''],
        ['Dataset inputs', count(summary.inputs), ''],
        ['Registered models', count(summary.models.imported), count(summary.models.skipped)],
        ['Model versions', count(summary.versions.imported), count(summary.versions.skipped)],
      ],
    ),
    '',
    `Artifacts: ${plural(copied, 'run folder')} copied, ${count(referenced)} referenced where they are, ${count(missing)} without a folder.`,
    ...listSection(
      'Skipped',
      summary.skipped.map((s) => `**${escapeMarkdown(s.what)}**: ${escapeMarkdown(s.why)}`),
      'Nothing was skipped.',
    ),
    ...listSection('Notes', summary.notes.map(escapeMarkdown)),
  );
  return `${lines.join('\n')}\n`;
}

/** The push's one-line notification. */
export function pushSummaryMessage(summary: PushSummary, cancelled = false): string {
  const { runs, versions } = summary;
  const target = hostOf(summary.target);
  const stopped = cancelled ? 'Push stopped: ' : '';
  const parts = [`${plural(runs.created, 'run')} created, ${count(runs.updated)} updated, ${count(runs.unchanged)} unchanged`];
  if (versions.created + versions.updated + versions.unchanged > 0) parts.push(`${plural(versions.created, 'model version')} created`);
  const skipped = summary.skipped.length > 0 ? `; ${plural(summary.skipped.length, 'item')} skipped` : '';
  return `${stopped}Pushed to ${target}: ${parts.join(', ')}${skipped}.`;
}

/** The push's report: counts, what was sent, every skipped item and why, notes. */
export function pushSummaryMarkdown(summary: PushSummary, cancelled = false): string {
  const { runs, versions, artifacts } = summary;
  const lines = [`# Push to ${escapeMarkdown(summary.target)}${cancelled ? ' (stopped)' : ''}`, ''];
  if (cancelled) lines.push('The push was cancelled. What was sent stays on the target; pushing again continues where it stopped.', '');
  lines.push(
    ...table(
      ['What', 'Created', 'Updated', 'Already there'],
      [
        ['Experiments', count(summary.experiments.created), '', count(summary.experiments.existing)],
        ['Runs', count(runs.created), count(runs.updated), count(runs.unchanged)],
        ['Registered models', count(summary.models.created), '', count(summary.models.existing)],
        ['Model versions', count(versions.created), count(versions.updated), count(versions.unchanged)],
      ],
    ),
    '',
    `Sent ${plural(summary.metrics, 'metric point')}, ${plural(summary.params, 'param')}, ${plural(summary.tags, 'tag')}, ` +
      `${plural(summary.inputs, 'dataset input')} and ${plural(artifacts.uploaded, 'artifact file')} (${count(artifacts.bytes)} bytes) ` +
      `in ${plural(summary.writes, 'write request')}.`,
  );
  if (runs.failed > 0) lines.push('', `${plural(runs.failed, 'run was', 'runs were')} refused in part by the target (see Skipped).`);
  lines.push(
    ...listSection(
      'Skipped',
      summary.skipped.map((s) => `**${escapeMarkdown(s.what)}**: ${escapeMarkdown(s.why)}`),
      'Nothing was skipped.',
    ),
    ...listSection('Notes', summary.notes.map(escapeMarkdown)),
  );
  return `${lines.join('\n')}\n`;
}

/** `mlflow.example.com:5000` from a tracking URI (the URI itself when it does not parse). */
export function hostOf(uri: string): string {
  try {
    const url = new URL(uri);
    return `${url.host}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return uri;
  }
}
