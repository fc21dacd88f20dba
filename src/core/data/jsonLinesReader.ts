import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { checkBatchSize, defaultChunkBytes, rebatch, TableReadOptions, TableStream } from './csvReader';
import { DataFormatError } from './dataFormatError';

export interface JsonLinesReadOptions extends TableReadOptions {
  /** What to do with a key that the first batch did not have: note it (the default) or fail. */
  onSchemaDrift?: 'report' | 'error';
}

/** A key first seen after the columns were fixed; its values are not read. */
export interface SchemaDriftEntry {
  key: string;
  /** 1-based line where it first appears. */
  firstLine: number;
  /** Lines that have it. */
  lines: number;
}

export interface JsonLinesStream extends TableStream {
  /** Filled in while the batches are read; complete once they are. */
  readonly schemaDrift: SchemaDriftEntry[];
  /** How many lines fixed the columns. */
  readonly headerLines: number;
}

/** Lines read to fix the columns when no batch size is given. */
const defaultHeaderLines = 2_500;

/**
 * Reads a JSON Lines file (one object a line) as a table. The columns are the union of the keys of
 * the first batch, in the order first seen; a row lacks nothing (a missing key or `null` is an
 * empty field). Strings are kept, numbers and booleans written as text, arrays and objects as
 * JSON. Keys that appear only later are schema drift: listed in `schemaDrift` (see
 * `describeSchemaDrift`), or an error with `onSchemaDrift: 'error'`. Empty lines are skipped.
 */
export async function readJsonLines(path: string, options: JsonLinesReadOptions = {}): Promise<JsonLinesStream> {
  const fileName = basename(path);
  const batchSize = checkBatchSize(options.batchSize ?? defaultHeaderLines);
  const lines = readObjectPieces(path, fileName, options.chunkBytes ?? defaultChunkBytes);
  const firstObjects: ParsedLine[] = [];
  while (firstObjects.length < batchSize) {
    const piece = await lines.next();
    if (piece.done) {
      break;
    }
    firstObjects.push(...piece.value);
  }
  const header: string[] = [];
  const seen = new Set<string>();
  for (const { value } of firstObjects.slice(0, batchSize)) {
    for (const key of Object.keys(value)) {
      if (!seen.has(key)) {
        seen.add(key);
        header.push(key);
      }
    }
  }
  const headerLines = Math.min(batchSize, firstObjects.length);
  if (headerLines === 0) {
    await lines.return();
    throw new DataFormatError('The file has no JSON objects: a JSON Lines file needs one object a line', fileName);
  }
  const schemaDrift: SchemaDriftEntry[] = [];
  const driftByKey = new Map<string, SchemaDriftEntry>();
  const toRows = (objects: ParsedLine[]): string[][] =>
    objects.map(({ value, line }) => {
      const row = header.map((key) => fieldText(value[key]));
      for (const key of Object.keys(value)) {
        if (seen.has(key)) {
          continue;
        }
        if (options.onSchemaDrift === 'error') {
            throw new DataFormatError(
              `Key '${key}' was not in the first ${headerLines} lines, which fixed the columns (${header.join(', ')})`,
              fileName,
              line,
            );
          }
        let entry = driftByKey.get(key);
        if (entry === undefined) {
          entry = { key, firstLine: line, lines: 0 };
          driftByKey.set(key, entry);
          schemaDrift.push(entry);
        }
        entry.lines++;
      }
      return row;
    });
  const rowPieces = (async function* (): AsyncGenerator<string[][], void, undefined> {
    try {
      for (;;) {
        const piece = await lines.next();
        if (piece.done) {
          return;
        }
        yield toRows(piece.value);
      }
    } finally {
      await lines.return();
    }
  })();
  const head = toRows(firstObjects);
  return { header, headerLines, schemaDrift, batches: rebatch(head, rowPieces, batchSize) };
}

/** One sentence per drifting key, for a log or a report. Empty when there was no drift. */
export function describeSchemaDrift(fileName: string, stream: Pick<JsonLinesStream, 'schemaDrift' | 'headerLines'>): string[] {
  return stream.schemaDrift.map(
    (entry) =>
      `Schema drift in ${fileName}: key '${entry.key}' first appears on line ${entry.firstLine}, after the first ` +
      `${stream.headerLines} lines fixed the columns; its values in ${entry.lines} line${entry.lines === 1 ? '' : 's'} were ignored.`,
  );
}

interface ParsedLine {
  value: Record<string, unknown>;
  line: number;
}

function fieldText(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  return JSON.stringify(value);
}

async function* readObjectPieces(path: string, fileName: string, chunkBytes: number): AsyncGenerator<ParsedLine[], void, undefined> {
  const stream = createReadStream(path, { highWaterMark: chunkBytes });
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let line = 1;
  let started = false;
  const parseLines = (text: string, final: boolean): ParsedLine[] => {
    const objects: ParsedLine[] = [];
    let position = 0;
    for (;;) {
      let end = text.indexOf('\n', position);
      if (end === -1) {
        if (!final || position >= text.length) {
          break;
        }
        end = text.length;
      }
      const content = text.slice(position, end).trim();
      if (content.length > 0) {
        objects.push({ value: parseObject(content, fileName, line), line });
      }
      line++;
      position = end + 1;
    }
    pending = position >= text.length ? '' : text.slice(position);
    return objects;
  };
  try {
    for await (const chunk of stream) {
      let text = decoder.write(chunk as Buffer);
      if (!started && text.length > 0) {
        started = true;
        if (text.charCodeAt(0) === 0xfeff) {
          text = text.slice(1);
        }
      }
      yield parseLines(pending + text, false);
    }
    yield parseLines(pending + decoder.end(), true);
  } finally {
    stream.destroy();
  }
}

function parseObject(content: string, fileName: string, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (error) {
    throw new DataFormatError(`Not valid JSON (${(error as Error).message})`, fileName, line);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DataFormatError(`Expected a JSON object on each line, found ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`, fileName, line);
  }
  return value as Record<string, unknown>;
}
