import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';

export interface CsvWriterOptions {
  /** One character, `,` unless told. */
  delimiter?: string;
  /** `\r\n` (RFC 4180, and Python's `csv` default) unless told. */
  lineEnding?: '\r\n' | '\n';
}

/** A value a cell can hold: `null`, `undefined` and `NaN` are written as empty fields. */
export type CsvValue = string | number | boolean | bigint | Date | null | undefined | object;

/** Text gathered before one write to the file. */
const flushCharacters = 1 << 20;

/**
 * Writes a CSV file row by row, atomically: rows go to `<path>.tmp`; `close()` fsyncs it, renames
 * it over `path` and fsyncs the folder, so `path` is either the old file or the whole new one.
 * `abort()` (or a failed write) removes the temporary file and leaves `path` alone.
 */
export class CsvWriter {
  private pending: string[] = [];
  private pendingCharacters = 0;
  private finished = false;
  private readonly lineEnding: string;
  private readonly delimiter: string;

  private constructor(
    readonly path: string,
    private readonly temporaryPath: string,
    private readonly handle: fs.FileHandle,
    options: CsvWriterOptions,
  ) {
    this.delimiter = options.delimiter ?? ',';
    this.lineEnding = options.lineEnding ?? '\r\n';
  }

  /** Creates `<path>.tmp` (replacing a stale one) and writes the header row. */
  static async create(path: string, header: readonly string[], options: CsvWriterOptions = {}): Promise<CsvWriter> {
    const delimiter = options.delimiter ?? ',';
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new RangeError(`The CSV delimiter must be one character other than a quote or line break, not ${JSON.stringify(delimiter)}`);
    }
    const temporaryPath = `${path}.tmp`;
    const handle = await fs.open(temporaryPath, 'w');
    const writer = new CsvWriter(path, temporaryPath, handle, options);
    await writer.writeRow(header);
    return writer;
  }

  /** Queues one row; writes to the file once about 1 MiB of text is waiting. */
  async writeRow(row: readonly CsvValue[]): Promise<void> {
    if (this.finished) {
      throw new Error(`The CSV writer for ${this.path} is already closed`);
    }
    const text = formatCsvRow(row, this.delimiter) + this.lineEnding;
    this.pending.push(text);
    this.pendingCharacters += text.length;
    if (this.pendingCharacters >= flushCharacters) {
      await this.flush();
    }
  }

  /** Writes every row of a (possibly asynchronous) sequence. */
  async writeRows(rows: Iterable<readonly CsvValue[]> | AsyncIterable<readonly CsvValue[]>): Promise<void> {
    for await (const row of rows) {
      await this.writeRow(row);
    }
  }

  /** Flushes, fsyncs, renames `<path>.tmp` over `path` and fsyncs the folder. */
  async close(): Promise<void> {
    if (this.finished) {
      return;
    }
    try {
      await this.flush();
      await this.handle.sync();
    } catch (error) {
      await this.abort();
      throw error;
    }
    this.finished = true;
    await this.handle.close();
    await fs.rename(this.temporaryPath, this.path);
    await syncFolder(dirname(this.path));
  }

  /** Drops what was written: closes and removes `<path>.tmp`; `path` is untouched. */
  async abort(): Promise<void> {
    if (this.finished) {
      return;
    }
    this.finished = true;
    this.pending = [];
    await this.handle.close().catch(() => undefined);
    await fs.rm(this.temporaryPath, { force: true });
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) {
      return;
    }
    const text = this.pending.join('');
    this.pending = [];
    this.pendingCharacters = 0;
    try {
      await this.handle.write(text, null, 'utf8');
    } catch (error) {
      await this.abort();
      throw error;
    }
  }
}

/** Writes a whole table to `path` atomically (see `CsvWriter`). */
export async function writeCsv(
  path: string,
  header: readonly string[],
  rows: Iterable<readonly CsvValue[]> | AsyncIterable<readonly CsvValue[]>,
  options: CsvWriterOptions = {},
): Promise<void> {
  const writer = await CsvWriter.create(path, header, options);
  try {
    await writer.writeRows(rows);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await writer.close();
}

/** One row as CSV text, without the line ending. */
export function formatCsvRow(row: readonly CsvValue[], delimiter = ','): string {
  let text = '';
  for (let index = 0; index < row.length; index++) {
    if (index > 0) {
      text += delimiter;
    }
    text += formatCsvField(row[index], delimiter);
  }
  return text;
}

/**
 * One field as CSV text: quoted (with `"` doubled) when it holds the delimiter, a quote, CR or LF,
 * or starts or ends with a space (which some readers would trim). Numbers keep full precision.
 */
export function formatCsvField(value: CsvValue, delimiter = ','): string {
  const text = valueText(value);
  if (text.length === 0) {
    return text;
  }
  const needsQuotes =
    text.includes(delimiter) ||
    text.includes('"') ||
    text.includes('\n') ||
    text.includes('\r') ||
    text.charCodeAt(0) === 32 ||
    text.charCodeAt(text.length - 1) === 32;
  return needsQuotes ? `"${text.replace(/"/g, '""')}"` : text;
}

function valueText(value: CsvValue): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number') {
    return Number.isNaN(value) ? '' : String(value);
  }
  if (typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  }
  return JSON.stringify(value);
}

async function syncFolder(folder: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(folder, 'r');
    await handle.sync();
  } catch {
    // Folders cannot be opened or synced on some platforms (Windows); the rename is still atomic.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
