import { setOwn, YamlError, YamlMapping, YamlValue } from './yamlError';
import { foldBlockLines, foldPlainLines, LineOf, readFlowCollection, readQuotedScalar, resolvePlainScalar } from './yamlFlow';
import { formatYamlKey, formatYamlScalar } from './yamlScalarFormat';

/**
 * A small, strict YAML reader for the files MLflow writes and reads (MLmodel, MLproject,
 * conda.yaml, python_env.yaml, file-store meta.yaml): block mappings and sequences, flow
 * collections, plain/quoted/block scalars, comments and one document. Scalars resolve with
 * YAML 1.2's core schema (only true/false are booleans). Anchors, aliases, tags, complex keys
 * and multiple documents are refused with an error naming the line.
 */
export function parseYaml(source: string): YamlValue {
  return new BlockParser(source).document();
}

interface Line {
  start: number;
  end: number;
  /** Leading spaces. */
  indent: number;
  /** Whitespace only, or a comment. */
  blank: boolean;
  /** `---` or `...` at column 0. */
  marker?: 'start' | 'end';
}

const REST_IS_BLANK = /^(?:[ \t]+#.*)?[ \t]*$/;

function isBlankChar(c: string | undefined): boolean {
  return c === undefined || c === ' ' || c === '\t' || c === '\n';
}

class BlockParser {
  private readonly text: string;
  private readonly lines: Line[] = [];
  private readonly starts: number[] = [];
  private position = 0;
  private readonly lineOf: LineOf = (offset) => this.lineIndexAt(offset) + 1;

  constructor(source: string) {
    this.text = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
    const text = this.text;
    let start = 0;
    while (start < text.length) {
      const newline = text.indexOf('\n', start);
      const end = newline === -1 ? text.length : newline;
      this.lines.push(this.describe(start, end));
      this.starts.push(start);
      start = end + 1;
    }
  }

  private describe(start: number, end: number): Line {
    const text = this.text;
    let indent = 0;
    while (text[start + indent] === ' ') indent++;
    const rest = text.slice(start + indent, end);
    const blank = /^[ \t]*(?:#.*)?$/.test(rest);
    const head = indent === 0 ? /^(---|\.\.\.)(?:[ \t]|$)/.exec(rest) : null;
    const marker = head ? (head[1] === '---' ? 'start' : 'end') : undefined;
    return { start, end, indent, blank, marker };
  }

  private lineIndexAt(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.starts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  private fail(lineIndex: number, message: string): never {
    throw new YamlError(lineIndex + 1, message);
  }

  /** The next non-blank line at or after the current position (lines.length if none). */
  private peek(): number {
    let i = this.position;
    while (i < this.lines.length && this.lines[i].blank) i++;
    if (i < this.lines.length) {
      const line = this.lines[i];
      if (this.text[line.start + line.indent] === '\t') {
        this.fail(i, 'tab characters must not be used for indentation; use spaces');
      }
    }
    return i;
  }

  private isEnd(i: number): boolean {
    return i >= this.lines.length || this.lines[i].marker !== undefined;
  }

  private charAt(i: number, col: number): string | undefined {
    const line = this.lines[i];
    return line.start + col < line.end ? this.text[line.start + col] : undefined;
  }

  document(): YamlValue {
    let i = 0;
    while (i < this.lines.length && (this.lines[i].blank || this.text[this.lines[i].start] === '%')) i++;
    this.position = i;
    let value: YamlValue = null;
    i = this.peek();
    if (i < this.lines.length && this.lines[i].marker === 'start') {
      const line = this.lines[i];
      let p = line.start + 3;
      while (this.text[p] === ' ' || this.text[p] === '\t') p++;
      if (REST_IS_BLANK.test(this.text.slice(line.start + 3, line.end))) {
        this.position = i + 1;
        value = this.below(-1, false);
      } else {
        value = this.inline(i, p - line.start, -1);
      }
    } else if (!this.isEnd(i)) {
      value = this.below(-1, false);
    }
    i = this.peek();
    if (i < this.lines.length && this.lines[i].marker === 'end') {
      this.position = i + 1;
      i = this.peek();
    }
    if (i < this.lines.length) {
      this.fail(i, this.lines[i].marker === 'start'
        ? 'only one YAML document is supported'
        : 'unexpected content here (check the indentation)');
    }
    return value;
  }

  /** The node on the following lines, if it is indented more than `parentIndent`. */
  private below(parentIndent: number, allowSameIndentSequence: boolean): YamlValue {
    const i = this.peek();
    if (this.isEnd(i)) return null;
    const line = this.lines[i];
    if (line.indent > parentIndent) return this.nodeAt(i, line.indent, parentIndent);
    if (allowSameIndentSequence && line.indent === parentIndent && this.isSequenceEntry(i, line.indent)) {
      return this.sequence(i, line.indent);
    }
    return null;
  }

  private nodeAt(i: number, col: number, parentIndent: number): YamlValue {
    if (this.isSequenceEntry(i, col)) return this.sequence(i, col);
    const key = this.mappingKey(i, col);
    if (key) return this.mapping(i, col, key);
    return this.inline(i, col, parentIndent);
  }

  private isSequenceEntry(i: number, col: number): boolean {
    return this.charAt(i, col) === '-' && isBlankChar(this.charAt(i, col + 1));
  }

  private mappingKey(i: number, col: number): { key: string; valueCol: number } | undefined {
    const line = this.lines[i];
    const text = this.text;
    const start = line.start + col;
    const c = text[start];
    const next = this.charAt(i, col + 1);
    if (c === '"' || c === "'") {
      let end: number;
      let key: string;
      try {
        ({ value: key, end } = readQuotedScalar(text, start, this.lineOf));
      } catch {
        return undefined;
      }
      if (end > line.end) return undefined;
      while (text[end] === ' ' || text[end] === '\t') end++;
      if (text[end] === ':' && isBlankChar(text[end + 1])) return { key, valueCol: end + 1 - line.start };
      return undefined;
    }
    if (c === '?' && isBlankChar(next)) this.fail(i, "complex mapping keys ('? ') are not supported");
    if ('[{&*!|>%@`#'.includes(c) || (c === '-' && isBlankChar(next))) return undefined;
    for (let p = start; p < line.end; p++) {
      if (text[p] === '#' && isBlankChar(text[p - 1])) return undefined;
      if (text[p] === ':' && (p + 1 === line.end || isBlankChar(text[p + 1]))) {
        return { key: text.slice(start, p).replace(/[ \t]+$/, ''), valueCol: p + 1 - line.start };
      }
    }
    return undefined;
  }

  private mapping(i: number, col: number, first: { key: string; valueCol: number }): YamlMapping {
    const result: YamlMapping = {};
    let key = first;
    let keyLine = i;
    for (;;) {
      if (Object.prototype.hasOwnProperty.call(result, key.key)) this.fail(keyLine, `duplicate key '${key.key}'`);
      setOwn(result, key.key, this.mappingValue(keyLine, col, key.valueCol));
      const n = this.peek();
      if (this.isEnd(n) || this.lines[n].indent < col) return result;
      if (this.lines[n].indent > col) this.fail(n, 'unexpected indentation');
      const next = this.mappingKey(n, col);
      if (!next) {
        this.fail(n, this.isSequenceEntry(n, col)
          ? "expected a 'key: value' entry but found a sequence entry ('- ')"
          : "expected a 'key: value' entry");
      }
      key = next;
      keyLine = n;
    }
  }

  private mappingValue(i: number, keyCol: number, valueCol: number): YamlValue {
    const line = this.lines[i];
    let p = line.start + valueCol;
    while (this.text[p] === ' ' || this.text[p] === '\t') p++;
    if (p >= line.end || this.text[p] === '#') {
      this.position = i + 1;
      return this.below(keyCol, true);
    }
    return this.inline(i, p - line.start, keyCol);
  }

  private sequence(i: number, col: number): YamlValue[] {
    const items: YamlValue[] = [];
    let entry = i;
    for (;;) {
      items.push(this.sequenceItem(entry, col));
      const n = this.peek();
      if (this.isEnd(n) || this.lines[n].indent < col) return items;
      if (this.lines[n].indent > col) this.fail(n, 'unexpected indentation');
      if (!this.isSequenceEntry(n, col)) return items;
      entry = n;
    }
  }

  private sequenceItem(i: number, col: number): YamlValue {
    const line = this.lines[i];
    let p = line.start + col + 1;
    while (this.text[p] === ' ' || this.text[p] === '\t') p++;
    if (p >= line.end || this.text[p] === '#') {
      this.position = i + 1;
      return this.below(col, false);
    }
    return this.nodeAt(i, p - line.start, col);
  }

  /** A scalar or flow collection starting at (i, col); `parentIndent` bounds its continuation lines. */
  private inline(i: number, col: number, parentIndent: number): YamlValue {
    const absolute = this.lines[i].start + col;
    const c = this.text[absolute];
    const next = this.charAt(i, col + 1);
    if (c === '|' || c === '>') return this.blockScalar(i, col, parentIndent);
    if (c === '[' || c === '{') return this.finish(readFlowCollection(this.text, absolute, this.lineOf));
    if (c === '"' || c === "'") return this.finish(readQuotedScalar(this.text, absolute, this.lineOf));
    if (c === '&' || c === '*' || c === '!') this.fail(i, 'anchors, aliases and tags are not supported');
    if (c === '@' || c === '`' || c === '%') this.fail(i, `a plain value cannot start with '${c}'; quote it`);
    if (c === ',' || c === ']' || c === '}') this.fail(i, `unexpected '${c}'`);
    if (c === '-' && isBlankChar(next)) {
      this.fail(i, "a sequence entry ('- ') is not allowed here; start the sequence on the next line");
    }
    if (c === '?' && isBlankChar(next)) this.fail(i, "complex mapping keys ('? ') are not supported");
    return this.plain(i, col, parentIndent);
  }

  private finish(read: { value: YamlValue; end: number }): YamlValue {
    const i = this.lineIndexAt(Math.max(read.end - 1, 0));
    const rest = this.text.slice(read.end, this.lines[i].end);
    if (!REST_IS_BLANK.test(rest)) this.fail(i, `unexpected '${rest.trim()}' after the value`);
    this.position = i + 1;
    return read.value;
  }

  /** One line's part of a plain scalar; `commented` when a comment ends it. */
  private plainSegment(i: number, col: number): { text: string; commented: boolean } {
    const line = this.lines[i];
    let segment = this.text.slice(line.start + col, line.end);
    const comment = /(?:^|[ \t])#/.exec(segment);
    if (comment) segment = segment.slice(0, comment.index);
    segment = segment.replace(/[ \t]+$/, '');
    if (/:(?:[ \t]|$)/.test(segment)) {
      this.fail(i, "mapping values are not allowed here (quote a value that contains ': ')");
    }
    return { text: segment, commented: comment !== null };
  }

  private plain(i: number, col: number, parentIndent: number): YamlValue {
    let segment = this.plainSegment(i, col);
    const parts = [segment.text];
    let last = i;
    for (let j = i + 1; j < this.lines.length && !segment.commented; j++) {
      const line = this.lines[j];
      if (line.marker) break;
      if (/^[ \t]*$/.test(this.text.slice(line.start, line.end))) {
        parts.push('');
        continue;
      }
      if (line.blank || line.indent <= parentIndent) break;
      segment = this.plainSegment(j, line.indent);
      parts.push(segment.text);
      last = j;
    }
    this.position = last + 1;
    return resolvePlainScalar(parts.length === 1 ? parts[0] : foldPlainLines(parts));
  }

  private blockScalar(i: number, col: number, parentIndent: number): string {
    const line = this.lines[i];
    const header = this.text.slice(line.start + col, line.end);
    const match = /^([|>])(?:([1-9])([+-])?|([+-])([1-9])?)?(?:[ \t]+#.*)?[ \t]*$/.exec(header);
    if (!match) this.fail(i, `invalid block scalar header '${header.trim()}'`);
    const literal = match[1] === '|';
    const digit = match[2] ?? match[5];
    const chomping = match[3] ?? match[4] ?? '';
    let contentIndent = digit ? Math.max(parentIndent, 0) + Number(digit) : -1;
    let j = i + 1;
    if (contentIndent < 0) {
      let k = j;
      while (k < this.lines.length && /^[ \t]*$/.test(this.text.slice(this.lines[k].start, this.lines[k].end))) k++;
      const candidate = k < this.lines.length && !this.lines[k].marker ? this.lines[k].indent : -1;
      contentIndent = candidate > parentIndent ? candidate : parentIndent + 1;
    }
    const body: string[] = [];
    for (; j < this.lines.length; j++) {
      const current = this.lines[j];
      const raw = this.text.slice(current.start, current.end);
      if (current.marker) break;
      if (/^[ \t]*$/.test(raw)) {
        body.push(raw.length > contentIndent ? raw.slice(contentIndent) : '');
        continue;
      }
      if (current.indent < contentIndent) break;
      body.push(raw.slice(contentIndent));
    }
    this.position = j;
    let last = body.length - 1;
    while (last >= 0 && body[last] === '') last--;
    if (last < 0) return chomping === '+' ? '\n'.repeat(body.length) : '';
    const content = literal ? body.slice(0, last + 1).join('\n') : foldBlockLines(body.slice(0, last + 1));
    // The file's last line has no line break of its own when the text does not end with one.
    const unterminated = i + body.length === this.lines.length - 1 && !this.text.endsWith('\n') ? 1 : 0;
    const breaks = body.length - last - unterminated;
    if (chomping === '-' || breaks === 0) return content;
    return content + (chomping === '+' ? '\n'.repeat(breaks) : '\n');
  }
}

/**
 * Writes `value` as block-style YAML in PyYAML's layout (two-space mappings, sequences under a
 * key at the key's indentation), keys in insertion order, strings quoted only when they would
 * otherwise read back as something else under YAML 1.1 or 1.2. `undefined` members are skipped.
 */
export function stringifyYaml(value: unknown): string {
  if (isNonEmptyMapping(value)) return emitMapping(value, 0);
  if (Array.isArray(value) && value.length > 0) return emitSequence(value, 0);
  return `${inlineValue(value)}\n`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function isNonEmptyMapping(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && Object.values(value).some((member) => member !== undefined);
}

function inlineValue(value: unknown): string {
  if (isPlainObject(value)) return '{}';
  if (Array.isArray(value)) return '[]';
  return formatYamlScalar(value);
}

function emitMapping(mapping: Record<string, unknown>, indent: number): string {
  const pad = ' '.repeat(indent);
  let out = '';
  for (const [key, member] of Object.entries(mapping)) {
    if (member === undefined) continue;
    const head = `${pad}${formatYamlKey(key)}:`;
    if (isNonEmptyMapping(member)) out += `${head}\n${emitMapping(member, indent + 2)}`;
    else if (Array.isArray(member) && member.length > 0) out += `${head}\n${emitSequence(member, indent)}`;
    else out += `${head} ${inlineValue(member)}\n`;
  }
  return out;
}

function emitSequence(items: unknown[], indent: number): string {
  const pad = ' '.repeat(indent);
  let out = '';
  for (const item of items) {
    if (isNonEmptyMapping(item)) out += `${pad}- ${emitMapping(item, indent + 2).slice(indent + 2)}`;
    else if (Array.isArray(item) && item.length > 0) out += `${pad}- ${emitSequence(item, indent + 2).slice(indent + 2)}`;
    else out += `${pad}- ${inlineValue(item === undefined ? null : item)}\n`;
  }
  return out;
}
