import { DataFormatError } from './dataFormatError';

export interface CsvParserOptions {
  /** One character; `,` unless told. */
  delimiter?: string;
  /**
   * Every record must have as many fields as the first one (the header). With `allowRaggedRows`,
   * short records are padded with empty fields and long ones are cut to the header's width.
   */
  allowRaggedRows?: boolean;
  /** Named in error messages. */
  fileName?: string;
}

const QUOTE = 34; // "
const CARRIAGE_RETURN = 13;
const LINE_FEED = 10;
const NO_QUOTE_AHEAD = Number.MAX_SAFE_INTEGER;

/**
 * An incremental RFC 4180 parser: feed it text in pieces of any size, get complete records back.
 *
 * Quoted fields may hold delimiters, `""` (one quote) and line breaks; lines end in LF or CRLF; a
 * leading byte-order mark is dropped; empty lines are skipped. Lenient where RFC 4180 is strict, as
 * Python's `csv` module is: a quote inside an unquoted field is kept as text, and text after a
 * closing quote is appended to the field. A quoted field still open at the end of input is an error.
 * Lines ending in a bare CR (classic Mac) are not recognised as line breaks.
 *
 * Lines without quotes take a fast path (`slice` + `split`), so numeric files parse at memory speed.
 */
export class CsvParser {
  private pending = '';
  private pendingLine = 1;
  private started = false;
  private width = -1;
  private readonly delimiter: string;
  private readonly delimiterCode: number;

  constructor(private readonly options: CsvParserOptions = {}) {
    this.delimiter = options.delimiter ?? ',';
    if (this.delimiter.length !== 1 || this.delimiter === '"' || this.delimiter === '\n' || this.delimiter === '\r') {
      throw new DataFormatError(`The CSV delimiter must be one character other than a quote or line break, not ${JSON.stringify(this.delimiter)}`);
    }
    this.delimiterCode = this.delimiter.charCodeAt(0);
  }

  /** The line number (1-based) where the next unparsed record starts. */
  get line(): number {
    return this.pendingLine;
  }

  /** Parses `text` after everything pushed before; appends the records it completes to `out`. */
  push(text: string, out: string[][] = []): string[][] {
    if (!this.started) {
      if (text.length === 0) {
        return out;
      }
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) {
        text = text.slice(1);
      }
    }
    this.parse(this.pending.length > 0 ? this.pending + text : text, false, out);
    return out;
  }

  /** Ends the input: appends the last record (one without a final line break) to `out`. */
  end(out: string[][] = []): string[][] {
    this.parse(this.pending, true, out);
    return out;
  }

  private parse(text: string, final: boolean, out: string[][]): void {
    const length = text.length;
    const delimiter = this.delimiter;
    let position = 0;
    let line = this.pendingLine;
    let nextQuote = -1;
    while (position < length) {
      let lineEnd = text.indexOf('\n', position);
      if (lineEnd === -1) {
        if (!final) {
          break;
        }
        lineEnd = length;
      }
      if (nextQuote < position) {
        nextQuote = text.indexOf('"', position);
        if (nextQuote === -1) {
          nextQuote = NO_QUOTE_AHEAD;
        }
      }
      if (nextQuote > lineEnd) {
        let fieldsEnd = lineEnd;
        if (fieldsEnd > position && text.charCodeAt(fieldsEnd - 1) === CARRIAGE_RETURN) {
          fieldsEnd--;
        }
        if (fieldsEnd > position) {
          this.accept(text.slice(position, fieldsEnd).split(delimiter), line, out);
        }
        position = lineEnd + 1;
        line++;
        continue;
      }
      const record = this.parseQuotedRecord(text, position, final, line);
      if (record === undefined) {
        break;
      }
      this.accept(record.fields, line, out);
      position = record.next;
      line += record.lineBreaks;
    }
    this.pending = position >= length ? '' : text.slice(position);
    this.pendingLine = line;
  }

  /** The slow path, for a record with a quote somewhere in it. Undefined when it is incomplete. */
  private parseQuotedRecord(
    text: string,
    start: number,
    final: boolean,
    line: number,
  ): { fields: string[]; next: number; lineBreaks: number } | undefined {
    const length = text.length;
    const fields: string[] = [];
    let position = start;
    let lineBreaks = 0;
    for (;;) {
      let value = '';
      if (position < length && text.charCodeAt(position) === QUOTE) {
        let segmentStart = position + 1;
        for (;;) {
          const quote = text.indexOf('"', segmentStart);
          if (quote === -1) {
            if (!final) {
              return undefined;
            }
            throw new DataFormatError(`A quoted field is never closed (it opens on line ${line + lineBreaks})`, this.options.fileName, line + lineBreaks);
          }
          const segment = text.slice(segmentStart, quote);
          lineBreaks += countLineFeeds(segment);
          value += segment;
          if (quote + 1 < length && text.charCodeAt(quote + 1) === QUOTE) {
            value += '"';
            segmentStart = quote + 2;
            continue;
          }
          if (quote + 1 >= length && !final) {
            return undefined; // the next chunk may start with the second quote of `""`
          }
          position = quote + 1;
          break;
        }
      }
      // Unquoted text, or text after a closing quote, runs to the delimiter or the line end.
      let end = position;
      while (end < length) {
        const code = text.charCodeAt(end);
        if (code === this.delimiterCode || code === LINE_FEED) {
          break;
        }
        end++;
      }
      if (end >= length && !final) {
        return undefined;
      }
      let valueEnd = end;
      if (end < length && text.charCodeAt(end) === LINE_FEED && valueEnd > position && text.charCodeAt(valueEnd - 1) === CARRIAGE_RETURN) {
        valueEnd--;
      }
      value += text.slice(position, valueEnd);
      fields.push(value);
      if (end >= length) {
        return { fields, next: length, lineBreaks: lineBreaks + 1 };
      }
      if (text.charCodeAt(end) === LINE_FEED) {
        return { fields, next: end + 1, lineBreaks: lineBreaks + 1 };
      }
      position = end + 1;
    }
  }

  private accept(fields: string[], line: number, out: string[][]): void {
    if (this.width < 0) {
      this.width = fields.length;
    } else if (fields.length !== this.width) {
      if (!this.options.allowRaggedRows) {
        throw new DataFormatError(
          `Expected ${this.width} fields (as many as the header has) but found ${fields.length}; check for an unquoted delimiter or a missing value`,
          this.options.fileName,
          line,
        );
      }
      if (fields.length > this.width) {
        fields.length = this.width;
      } else {
        while (fields.length < this.width) {
          fields.push('');
        }
      }
    }
    out.push(fields);
  }
}

function countLineFeeds(text: string): number {
  let count = 0;
  let index = text.indexOf('\n');
  while (index !== -1) {
    count++;
    index = text.indexOf('\n', index + 1);
  }
  return count;
}

/** Parses a whole CSV text into records (the header is the first one). */
export function parseCsv(text: string, options: CsvParserOptions = {}): string[][] {
  const parser = new CsvParser(options);
  const records = parser.push(text);
  return parser.end(records);
}
