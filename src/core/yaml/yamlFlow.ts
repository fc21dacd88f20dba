import { setOwn, YamlError, YamlMapping, YamlValue } from './yamlError';

/** Maps an offset in the (LF-normalised) text to its 1-based line number. */
export type LineOf = (offset: number) => number;

export interface ReadResult<T> {
  value: T;
  /** Offset just past what was read. */
  end: number;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
};
const HEX_ESCAPE_LENGTHS: Record<string, number> = { x: 2, u: 4, U: 8 };

const NULL_RE = /^(?:~|null|Null|NULL)$/;
const TRUE_RE = /^(?:true|True|TRUE)$/;
const FALSE_RE = /^(?:false|False|FALSE)$/;
const DECIMAL_RE = /^[-+]?[0-9]+$/;
const OCTAL_RE = /^0o[0-7]+$/;
const HEX_RE = /^0x[0-9a-fA-F]+$/;
const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const INFINITY_RE = /^([-+]?)\.(?:inf|Inf|INF)$/;
const NAN_RE = /^\.(?:nan|NaN|NAN)$/;

/** Resolves a plain (unquoted) scalar with YAML 1.2's core schema. */
export function resolvePlainScalar(raw: string): YamlValue {
  if (raw === '' || NULL_RE.test(raw)) return null;
  if (TRUE_RE.test(raw)) return true;
  if (FALSE_RE.test(raw)) return false;
  if (DECIMAL_RE.test(raw)) return Number(raw);
  if (OCTAL_RE.test(raw)) return parseInt(raw.slice(2), 8);
  if (HEX_RE.test(raw)) return parseInt(raw.slice(2), 16);
  if (FLOAT_RE.test(raw)) return Number(raw);
  const infinity = INFINITY_RE.exec(raw);
  if (infinity) return infinity[1] === '-' ? -Infinity : Infinity;
  if (NAN_RE.test(raw)) return NaN;
  return raw;
}

function skipBlanks(text: string, p: number): number {
  while (text[p] === ' ' || text[p] === '\t') p++;
  return p;
}

/**
 * Reads a single- or double-quoted scalar starting at `start` (the quote). Line breaks inside
 * fold as YAML says: one break becomes a space, each further empty line a newline.
 */
export function readQuotedScalar(text: string, start: number, lineOf: LineOf): ReadResult<string> {
  const quote = text[start];
  let out = '';
  let pendingBlanks = '';
  let p = start + 1;
  for (;;) {
    if (p >= text.length) {
      throw new YamlError(lineOf(start), `unterminated ${quote === '"' ? 'double' : 'single'}-quoted string`);
    }
    const c = text[p];
    if (c === quote) {
      if (quote === "'" && text[p + 1] === "'") {
        out += pendingBlanks + "'";
        pendingBlanks = '';
        p += 2;
        continue;
      }
      return { value: out + pendingBlanks, end: p + 1 };
    }
    if (c === ' ' || c === '\t') {
      pendingBlanks += c;
      p++;
      continue;
    }
    if (c === '\n') {
      pendingBlanks = '';
      let breaks = 1;
      p = skipBlanks(text, p + 1);
      while (text[p] === '\n') {
        breaks++;
        p = skipBlanks(text, p + 1);
      }
      out += breaks === 1 ? ' ' : '\n'.repeat(breaks - 1);
      continue;
    }
    out += pendingBlanks;
    pendingBlanks = '';
    if (quote === '"' && c === '\\') {
      const escape = text[p + 1];
      if (escape === '\n') {
        p = skipBlanks(text, p + 2);
        while (text[p] === '\n') {
          out += '\n';
          p = skipBlanks(text, p + 1);
        }
        continue;
      }
      if (escape !== undefined && escape in SIMPLE_ESCAPES) {
        out += SIMPLE_ESCAPES[escape];
        p += 2;
        continue;
      }
      const length = escape === undefined ? undefined : HEX_ESCAPE_LENGTHS[escape];
      const digits = length === undefined ? '' : text.slice(p + 2, p + 2 + length);
      if (length === undefined || !/^[0-9a-fA-F]+$/.test(digits) || digits.length !== length) {
        throw new YamlError(lineOf(p), `invalid escape sequence '\\${escape ?? ''}' in a double-quoted string`);
      }
      const codePoint = parseInt(digits, 16);
      if (codePoint > 0x10ffff) throw new YamlError(lineOf(p), `invalid escape sequence '\\${escape}${digits}'`);
      out += String.fromCodePoint(codePoint);
      p += 2 + length;
      continue;
    }
    out += c;
    p++;
  }
}

/** Folds a multi-line plain scalar: lines are trimmed, one break is a space, empty lines newlines. */
export function foldPlainLines(lines: string[]): string {
  let out = '';
  let emptyRun = 0;
  let started = false;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') {
      emptyRun++;
      continue;
    }
    if (started) out += emptyRun === 0 ? ' ' : '\n'.repeat(emptyRun);
    out += line;
    started = true;
    emptyRun = 0;
  }
  return out;
}

/** `>` folding: breaks between plain lines become spaces; more-indented lines keep theirs. */
export function foldBlockLines(lines: string[]): string {
  let out = '';
  let empties = 0;
  let previous: string | undefined;
  for (const line of lines) {
    if (line === '') {
      empties++;
      continue;
    }
    if (previous === undefined) {
      out = '\n'.repeat(empties);
    } else {
      const moreIndented = /^[ \t]/.test(line) || /^[ \t]/.test(previous);
      out += moreIndented ? '\n'.repeat(empties + 1) : empties === 0 ? ' ' : '\n'.repeat(empties);
    }
    out += line;
    previous = line;
    empties = 0;
  }
  return out;
}

const FLOW_INDICATORS = ',[]{}';

function isBreakOrBlank(c: string | undefined): boolean {
  return c === undefined || c === ' ' || c === '\t' || c === '\n';
}

/** Reads a flow collection (`[a, b]`, `{type: float, default: 0.1}`), possibly over several lines. */
export function readFlowCollection(text: string, start: number, lineOf: LineOf): ReadResult<YamlValue> {
  const reader = new FlowReader(text, start, lineOf);
  const value = reader.node();
  return { value, end: reader.position };
}

class FlowReader {
  constructor(
    private readonly text: string,
    public position: number,
    private readonly lineOf: LineOf,
  ) {}

  private fail(message: string, at = this.position): never {
    throw new YamlError(this.lineOf(Math.min(at, this.text.length)), message);
  }

  /** At end of input, or on a later line than the opening bracket, the likely fault is a missing close. */
  private unclosed(open: number, kind: string, close: string): void {
    if (this.position >= this.text.length || this.lineOf(this.position) !== this.lineOf(open)) {
      this.fail(`unterminated flow ${kind}: expected '${close}'`, open);
    }
  }

  private skipSpace(): void {
    const text = this.text;
    for (;;) {
      const c = text[this.position];
      if (c === ' ' || c === '\t' || c === '\n') {
        this.position++;
      } else if (c === '#' && (this.position === 0 || isBreakOrBlank(text[this.position - 1]))) {
        while (this.position < text.length && text[this.position] !== '\n') this.position++;
      } else {
        return;
      }
    }
  }

  node(): YamlValue {
    this.skipSpace();
    const c = this.text[this.position];
    if (c === '[') return this.sequence();
    if (c === '{') return this.mapping();
    if (c === '"' || c === "'") return this.quoted();
    return resolvePlainScalar(this.plain());
  }

  private quoted(): string {
    const { value, end } = readQuotedScalar(this.text, this.position, this.lineOf);
    this.position = end;
    return value;
  }

  private plain(): string {
    const text = this.text;
    const start = this.position;
    const first = text[start];
    if (first === undefined) this.fail('unexpected end of input inside a flow collection', start);
    if ('&*!'.includes(first)) this.fail('anchors, aliases and tags are not supported');
    if ('#,[]{}|>%@`'.includes(first) || ('-?:'.includes(first) && isBreakOrBlank(text[start + 1]))) {
      this.fail(`unexpected character '${first}' in a flow collection`);
    }
    let p = start;
    while (p < text.length) {
      const c = text[p];
      if (FLOW_INDICATORS.includes(c)) break;
      if (c === ':' && (isBreakOrBlank(text[p + 1]) || FLOW_INDICATORS.includes(text[p + 1]))) break;
      if (c === '#' && isBreakOrBlank(text[p - 1])) break;
      p++;
    }
    this.position = p;
    return foldPlainLines(text.slice(start, p).split('\n'));
  }

  private sequence(): YamlValue[] {
    const open = this.position;
    this.position++;
    const items: YamlValue[] = [];
    for (;;) {
      this.skipSpace();
      const c = this.text[this.position];
      if (c === undefined) this.fail("unterminated flow sequence: expected ']'", open);
      if (c === ']') {
        this.position++;
        return items;
      }
      items.push(this.node());
      this.skipSpace();
      const next = this.text[this.position];
      if (next === ',') {
        this.position++;
      } else if (next !== ']') {
        this.unclosed(open, 'sequence', ']');
        this.fail(next === ':' ? 'single-pair mappings inside flow sequences are not supported' : "expected ',' or ']' in a flow sequence");
      }
    }
  }

  private mapping(): YamlMapping {
    const open = this.position;
    this.position++;
    const result: YamlMapping = {};
    for (;;) {
      this.skipSpace();
      const c = this.text[this.position];
      if (c === undefined) this.fail("unterminated flow mapping: expected '}'", open);
      if (c === '}') {
        this.position++;
        return result;
      }
      if (c === '[' || c === '{') this.fail('collections as mapping keys are not supported');
      const keyAt = this.position;
      const key = c === '"' || c === "'" ? this.quoted() : this.plain();
      this.skipSpace();
      let value: YamlValue = null;
      if (this.text[this.position] === ':') {
        this.position++;
        this.skipSpace();
        const after = this.text[this.position];
        if (after !== ',' && after !== '}') value = this.node();
      }
      if (Object.prototype.hasOwnProperty.call(result, key)) this.fail(`duplicate key '${key}'`, keyAt);
      setOwn(result, key, value);
      this.skipSpace();
      const next = this.text[this.position];
      if (next === ',') {
        this.position++;
      } else if (next !== '}') {
        this.unclosed(open, 'mapping', '}');
        this.fail("expected ',' or '}' in a flow mapping");
      }
    }
  }
}
