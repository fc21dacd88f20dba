import { parsePythonLiteral } from './pythonLiteral';

/**
 * Percent-format cells (`# %%`), as Jupytext, VS Code's Interactive Window and Spyder read them:
 * `# %% Optional title [markdown] key="value" tags=["parameters"]`.
 */

export type CellKind = 'code' | 'markdown' | 'raw';

export interface PipelineCell {
  index: number;
  /** `raw` cells (`# %% [raw]`) are shown but never run. */
  kind: CellKind;
  /** Text after `# %%` other than the cell type and metadata; '' when none. */
  title: string;
  tags: string[];
  /** Other `key=value` metadata on the marker line (JSON or Python literal values). */
  metadata: Record<string, unknown>;
  /** Code as written; markdown and raw without the `# ` comment prefix. Blank lines trimmed at both ends. */
  source: string;
  /** 1-based line of the `# %%` marker; undefined for code before the first marker. */
  markerLine?: number;
  /** 1-based first line of the cell: the marker line, or the first non-blank line before any marker. */
  startLine: number;
  /** 1-based last non-blank line of the cell (the marker line for an empty cell). */
  endLine: number;
  /**
   * 1-based file line of the first line of `source`: line k (1-based) of `source` is file line
   * `sourceStartLine + k - 1`, so a traceback's line in the cell maps straight back to the file.
   */
  sourceStartLine: number;
  /** Tagged `parameters` (`tags=["parameters"]`) or marked `# %% [parameters]`. */
  isParameters: boolean;
}

const MARKER = /^#\s*%%(?=\s|$)(.*)$/;
const CELL_TYPES: Record<string, CellKind | 'parameters'> = {
  markdown: 'markdown', md: 'markdown', raw: 'raw', parameters: 'parameters', code: 'code',
};

function splitLines(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** True when the text has at least one `# %%` (or `#%%`) marker line. */
export function isPercentScript(text: string): boolean {
  return splitLines(text).some((line) => MARKER.test(line));
}

interface MarkerHeader {
  kind: CellKind;
  title: string;
  tags: string[];
  metadata: Record<string, unknown>;
  parametersType: boolean;
}

/** Reads one metadata value: a bracketed or quoted literal, or a bare word. */
function readMetadataValue(text: string, start: number): { value: unknown; end: number } {
  const first = text[start];
  let end = start;
  if (first === '[' || first === '{' || first === '"' || first === "'") {
    let depth = 0;
    let quote: string | undefined;
    for (; end < text.length; end++) {
      const c = text[end];
      if (quote !== undefined) {
        if (c === '\\') end++;
        else if (c === quote) quote = undefined;
        if (quote === undefined && depth === 0) break;
      } else if (c === '"' || c === "'") {
        quote = c;
      } else if (c === '[' || c === '{') {
        depth++;
      } else if ((c === ']' || c === '}') && --depth === 0) {
        break;
      }
    }
    end = Math.min(end + 1, text.length);
  } else {
    while (end < text.length && !/\s/.test(text[end])) end++;
  }
  const raw = text.slice(start, end);
  const literal = parsePythonLiteral(raw, { json: true });
  return { value: literal ? literal.value : raw, end };
}

function parseHeader(rest: string): MarkerHeader {
  const header: MarkerHeader = { kind: 'code', title: '', tags: [], metadata: {}, parametersType: false };
  const metadataStart = /(?:^|\s)[A-Za-z_][\w.-]*=/.exec(rest);
  let titlePart = metadataStart ? rest.slice(0, metadataStart.index) : rest;
  const typeMatch = /\[([^\]]*)\]/.exec(titlePart);
  const cellType = typeMatch ? CELL_TYPES[typeMatch[1].trim().toLowerCase()] : undefined;
  if (typeMatch && cellType) {
    titlePart = titlePart.slice(0, typeMatch.index) + ' ' + titlePart.slice(typeMatch.index + typeMatch[0].length);
    if (cellType === 'parameters') header.parametersType = true;
    else header.kind = cellType;
  }
  header.title = titlePart.trim().replace(/\s+/g, ' ');
  if (metadataStart) {
    const text = rest.slice(metadataStart.index);
    let p = 0;
    while (p < text.length) {
      const pair = /^\s*([A-Za-z_][\w.-]*)=/.exec(text.slice(p));
      if (!pair) break;
      const { value, end } = readMetadataValue(text, p + pair[0].length);
      if (pair[1] === 'tags' && Array.isArray(value)) header.tags = value.map((tag) => String(tag));
      else header.metadata[pair[1]] = value;
      p = end;
    }
  }
  return header;
}

function stripCommentPrefix(line: string): string {
  if (line.startsWith('# ')) return line.slice(2);
  if (line.startsWith('#')) return line.slice(1);
  return line;
}

/** Lines before the first marker that are a Jupytext YAML header (`# ---` … `# ---`) count as blank. */
function blankJupytextHeader(lines: string[], end: number): string[] {
  const first = lines.findIndex((line) => line.trim() !== '');
  if (first === -1 || first >= end || lines[first].trim() !== '# ---') return lines;
  for (let i = first + 1; i < end; i++) {
    if (lines[i].trim() === '# ---') {
      if (!lines.slice(first, i).some((line) => /^#\s+jupyter:/.test(line))) return lines;
      return lines.map((line, index) => (index >= first && index <= i ? '' : line));
    }
  }
  return lines;
}

function makeCell(
  lines: string[],
  index: number,
  header: MarkerHeader,
  markerIndex: number | undefined,
  bodyStart: number,
  bodyEnd: number,
): PipelineCell | undefined {
  let first = bodyStart;
  let last = bodyEnd - 1;
  while (first <= last && lines[first].trim() === '') first++;
  while (last >= first && lines[last].trim() === '') last--;
  if (markerIndex === undefined && first > last) return undefined;
  let body = lines.slice(first, last + 1);
  let sourceStart = first;
  if (header.kind !== 'code') {
    const fence = body.length >= 2 ? body[0].trim() : '';
    if ((fence === '"""' || fence === "'''") && body[body.length - 1].trim() === fence) {
      body = body.slice(1, -1);
      sourceStart++;
    } else {
      body = body.map(stripCommentPrefix);
    }
  }
  const startLine = (markerIndex ?? first) + 1;
  return {
    index,
    kind: header.kind,
    title: header.title,
    tags: header.tags,
    metadata: header.metadata,
    source: body.join('\n'),
    ...(markerIndex !== undefined ? { markerLine: markerIndex + 1 } : {}),
    startLine,
    endLine: first <= last ? last + 1 : startLine,
    sourceStartLine: body.length > 0 ? sourceStart + 1 : startLine + 1,
    isParameters: header.parametersType || header.tags.includes('parameters'),
  };
}

/**
 * Splits a percent-format script into cells. Code before the first marker is a code cell when it
 * has anything but blank lines (a Jupytext header alone does not count). Line endings may be LF,
 * CRLF or CR; line numbers count them the way editors do.
 */
export function parseCells(text: string): PipelineCell[] {
  const original = splitLines(text);
  const markers: number[] = [];
  original.forEach((line, i) => {
    if (MARKER.test(line)) markers.push(i);
  });
  const lines = blankJupytextHeader(original, markers[0] ?? original.length);
  const cells: PipelineCell[] = [];
  const preamble = makeCell(lines, 0, parseHeader(''), undefined, 0, markers[0] ?? lines.length);
  if (preamble) cells.push(preamble);
  markers.forEach((markerIndex, k) => {
    const header = parseHeader(MARKER.exec(lines[markerIndex])?.[1] ?? '');
    const cell = makeCell(lines, cells.length, header, markerIndex, markerIndex + 1, markers[k + 1] ?? lines.length);
    if (cell) cells.push(cell);
  });
  return cells;
}
