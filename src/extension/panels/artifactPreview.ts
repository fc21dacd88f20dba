import { parseCsv } from '../../core/data/csvParser';
import type { ArtifactPreview } from '../../shared/protocol/runDetailsProtocol';

/** Files above this size are not read for a preview (open them in an editor or download them). */
export const PREVIEW_READ_LIMIT = 8 * 1024 * 1024;
/** Text shown at most (the rest is cut, with a note). */
export const PREVIEW_TEXT_LIMIT = 256 * 1024;
/** CSV rows shown at most. */
export const PREVIEW_TABLE_ROWS = 500;
const CSV_PARSE_LIMIT = 2 * 1024 * 1024;

const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  svg: 'image/svg+xml',
};
const TEXT_LANGUAGES: Record<string, 'json' | 'yaml' | 'python' | 'markdown' | 'text'> = {
  json: 'json',
  yaml: 'yaml',
  yml: 'yaml',
  py: 'python',
  md: 'markdown',
  txt: 'text',
  log: 'text',
  ini: 'text',
  cfg: 'text',
  toml: 'text',
  jsonl: 'text',
  ipynb: 'json',
};

export type PreviewKind = 'image' | 'table' | 'html' | 'mlmodel' | 'text' | 'binary';

function extensionOf(artifactPath: string): string {
  const name = artifactPath.split('/').pop() ?? '';
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** How a file is previewed, from its name. */
export function previewKind(artifactPath: string): PreviewKind {
  const name = artifactPath.split('/').pop() ?? '';
  if (name === 'MLmodel') return 'mlmodel';
  const extension = extensionOf(artifactPath);
  if (IMAGE_TYPES[extension]) return 'image';
  if (extension === 'csv' || extension === 'tsv') return 'table';
  if (extension === 'html' || extension === 'htm') return 'html';
  if (TEXT_LANGUAGES[extension] || name === 'requirements.txt' || name === 'MLproject' || name === 'conda.yaml' || extension === '') return 'text';
  return 'binary';
}

function looksBinary(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 8192);
  for (const byte of sample) if (byte === 0) return true;
  return false;
}

/**
 * What the run details panel shows for an artifact: text (JSON pretty-printed, YAML and MLmodel
 * as is) cut at 256 KB; CSV/TSV as a table of the first 500 rows; images as data URIs; HTML for a
 * sandboxed frame, its `<style>` blocks stamped with `styleNonce`; anything else as "binary".
 */
export function buildPreview(artifactPath: string, bytes: Uint8Array, options: { size?: number; styleNonce?: string } = {}): ArtifactPreview {
  const size = options.size ?? bytes.length;
  const kind = previewKind(artifactPath);
  if (kind === 'image') {
    return { kind: 'image', size, dataUri: `data:${IMAGE_TYPES[extensionOf(artifactPath)]};base64,${Buffer.from(bytes).toString('base64')}` };
  }
  if (looksBinary(bytes)) return { kind: 'binary', size };
  const text = Buffer.from(bytes).toString('utf8');
  if (kind === 'table') {
    const table = csvTable(text, extensionOf(artifactPath) === 'tsv' ? '\t' : ',');
    if (table) return { ...table, size };
  }
  if (kind === 'html') {
    const nonce = options.styleNonce;
    const html = nonce ? text.replace(/<style\b/gi, `<style nonce="${nonce}"`) : text;
    return { kind: 'html', html, size };
  }
  const language = kind === 'mlmodel' ? 'mlmodel' : (TEXT_LANGUAGES[extensionOf(artifactPath)] ?? 'text');
  let shown = text;
  if (language === 'json' && text.length <= PREVIEW_TEXT_LIMIT) {
    try {
      shown = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      shown = text;
    }
  }
  const truncated = shown.length > PREVIEW_TEXT_LIMIT;
  return { kind: 'text', language, text: truncated ? shown.slice(0, PREVIEW_TEXT_LIMIT) : shown, truncated, size };
}

/** The first rows of a CSV as a table (undefined when it does not parse: it is then shown as text). */
function csvTable(text: string, delimiter: string): Omit<Extract<ArtifactPreview, { kind: 'table' }>, 'size'> | undefined {
  let source = text;
  let cut = false;
  if (source.length > CSV_PARSE_LIMIT) {
    source = source.slice(0, source.lastIndexOf('\n', CSV_PARSE_LIMIT) + 1);
    cut = true;
  }
  let records: string[][];
  try {
    records = parseCsv(source, { delimiter, allowRaggedRows: true });
  } catch {
    return undefined;
  }
  if (records.length === 0) return { kind: 'table', header: [], rows: [], shownRows: 0, truncated: false };
  const [header, ...rows] = records;
  const shown = rows.slice(0, PREVIEW_TABLE_ROWS);
  return { kind: 'table', header, rows: shown, shownRows: shown.length, truncated: cut || rows.length > shown.length };
}
