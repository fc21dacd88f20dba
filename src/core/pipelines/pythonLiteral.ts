/** Reading and writing Python literals (the values of a parameters cell and of injected overrides). */

export type PythonLiteralKind = 'int' | 'float' | 'str' | 'bool' | 'none' | 'list' | 'tuple' | 'dict';

export interface PythonLiteral {
  kind: PythonLiteralKind;
  /** The JavaScript value: numbers, strings, booleans, null, arrays (lists and tuples), objects. */
  value: unknown;
}

export interface ParseLiteralOptions {
  /** Also accept JSON's `true`, `false` and `null` (for form fields and cell metadata). */
  json?: boolean;
}

class NotALiteral extends Error {}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\n': '', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

/**
 * Parses `source` as one Python literal (numbers, strings with r/u prefixes and implicit
 * concatenation, True/False/None, lists, tuples, dicts with string keys, `float('inf')`/`float('nan')`).
 * Returns undefined when it is anything else (a name, a call, bytes, an f-string, an expression).
 */
export function parsePythonLiteral(source: string, options: ParseLiteralOptions = {}): PythonLiteral | undefined {
  const reader = new LiteralReader(source, options.json === true);
  try {
    const literal = reader.literal();
    reader.skipSpace();
    return reader.atEnd() ? literal : undefined;
  } catch (error) {
    if (error instanceof NotALiteral) return undefined;
    throw error;
  }
}

class LiteralReader {
  private p = 0;

  constructor(
    private readonly s: string,
    private readonly json: boolean,
  ) {}

  atEnd(): boolean {
    return this.p >= this.s.length;
  }

  skipSpace(): void {
    while (this.p < this.s.length) {
      const c = this.s[this.p];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') this.p++;
      else if (c === '\\' && this.s[this.p + 1] === '\n') this.p += 2;
      else break;
    }
  }

  private fail(): never {
    throw new NotALiteral();
  }

  literal(): PythonLiteral {
    this.skipSpace();
    const c = this.s[this.p];
    if (c === undefined) this.fail();
    if (c === '[') return { kind: 'list', value: this.items(']') };
    if (c === '(') return this.parenthesised();
    if (c === '{') return this.dict();
    if (c === '-' || c === '+') {
      this.p++;
      const operand = this.literal();
      if (operand.kind !== 'int' && operand.kind !== 'float') this.fail();
      return { kind: operand.kind, value: c === '-' ? -(operand.value as number) : operand.value };
    }
    if (/[0-9.]/.test(c)) return this.number();
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.p))?.[0] ?? '';
    const next = this.s[this.p + word.length];
    if (word !== '' && (next === "'" || next === '"')) return { kind: 'str', value: this.strings() };
    this.p += word.length;
    if (word === 'True' || (this.json && word === 'true')) return { kind: 'bool', value: true };
    if (word === 'False' || (this.json && word === 'false')) return { kind: 'bool', value: false };
    if (word === 'None' || (this.json && word === 'null')) return { kind: 'none', value: null };
    if (word === 'float') return this.floatCall();
    if (word === '' && (c === "'" || c === '"')) return { kind: 'str', value: this.strings() };
    return this.fail();
  }

  private floatCall(): PythonLiteral {
    this.skipSpace();
    if (this.s[this.p] !== '(') this.fail();
    this.p++;
    this.skipSpace();
    const argument = this.literal();
    this.skipSpace();
    if (this.s[this.p] !== ')' || argument.kind !== 'str') this.fail();
    this.p++;
    const text = (argument.value as string).trim().toLowerCase();
    const match = /^([-+]?)(inf|infinity|nan)$/.exec(text);
    if (!match) this.fail();
    const value = match[2] === 'nan' ? NaN : match[1] === '-' ? -Infinity : Infinity;
    return { kind: 'float', value };
  }

  private number(): PythonLiteral {
    const rest = this.s.slice(this.p);
    const based = /^0([xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|[oO][0-7](?:_?[0-7])*|[bB][01](?:_?[01])*)/.exec(rest);
    const decimal = /^(?:[0-9](?:_?[0-9])*)?(?:\.(?:[0-9](?:_?[0-9])*)?)?(?:[eE][-+]?[0-9](?:_?[0-9])*)?/.exec(rest);
    let text: string;
    let value: number;
    let kind: PythonLiteralKind;
    if (based) {
      text = based[0];
      const digits = text.slice(2).replace(/_/g, '');
      const radix = { x: 16, o: 8, b: 2 }[text[1].toLowerCase() as 'x' | 'o' | 'b'];
      value = parseInt(digits, radix);
      kind = 'int';
    } else {
      text = decimal?.[0] ?? '';
      if (!/[0-9]/.test(text)) this.fail();
      const plain = text.replace(/_/g, '');
      kind = /[.eE]/.test(plain) ? 'float' : 'int';
      if (kind === 'int' && /^0+[1-9]/.test(plain)) this.fail();
      value = Number(plain);
    }
    this.p += text.length;
    if (/^[A-Za-z0-9_]/.test(this.s.slice(this.p))) this.fail();
    return { kind, value };
  }

  /** One or more adjacent string literals, concatenated as Python does. */
  private strings(): string {
    let out = '';
    for (;;) {
      out += this.string();
      this.skipSpace();
      const prefix = /^[rRuU]?(?=['"])/.exec(this.s.slice(this.p));
      if (!prefix) return out;
    }
  }

  private string(): string {
    const prefix = /^[A-Za-z]*/.exec(this.s.slice(this.p))?.[0] ?? '';
    if (!/^(?:|r|u|R|U)$/.test(prefix)) this.fail();
    const raw = prefix.toLowerCase() === 'r';
    this.p += prefix.length;
    const quote = this.s[this.p];
    const triple = this.s.startsWith(quote.repeat(3), this.p);
    const closing = triple ? quote.repeat(3) : quote;
    this.p += closing.length;
    let out = '';
    for (;;) {
      if (this.p >= this.s.length) this.fail();
      if (this.s.startsWith(closing, this.p)) {
        this.p += closing.length;
        return out;
      }
      const c = this.s[this.p];
      if (c === '\n' && !triple) this.fail();
      if (c !== '\\') {
        out += c;
        this.p++;
        continue;
      }
      const next = this.s[this.p + 1];
      if (next === undefined) this.fail();
      if (raw) {
        out += c + next;
        this.p += 2;
        continue;
      }
      out += this.escape(next);
    }
  }

  private escape(next: string): string {
    if (next in SIMPLE_ESCAPES) {
      this.p += 2;
      return SIMPLE_ESCAPES[next];
    }
    const octal = /^[0-7]{1,3}/.exec(this.s.slice(this.p + 1));
    if (octal) {
      this.p += 1 + octal[0].length;
      return String.fromCharCode(parseInt(octal[0], 8));
    }
    const length = { x: 2, u: 4, U: 8 }[next as 'x' | 'u' | 'U'];
    if (length !== undefined) {
      const digits = this.s.slice(this.p + 2, this.p + 2 + length);
      if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(digits) || parseInt(digits, 16) > 0x10ffff) this.fail();
      this.p += 2 + length;
      return String.fromCodePoint(parseInt(digits, 16));
    }
    if (next === 'N') this.fail();
    this.p += 2;
    return `\\${next}`;
  }

  private items(close: string): unknown[] {
    this.p++;
    const items: unknown[] = [];
    for (;;) {
      this.skipSpace();
      if (this.s[this.p] === close) {
        this.p++;
        return items;
      }
      items.push(this.literal().value);
      this.skipSpace();
      if (this.s[this.p] === ',') this.p++;
      else if (this.s[this.p] !== close) this.fail();
    }
  }

  private parenthesised(): PythonLiteral {
    const start = this.p;
    this.p++;
    this.skipSpace();
    if (this.s[this.p] === ')') {
      this.p++;
      return { kind: 'tuple', value: [] };
    }
    const first = this.literal();
    this.skipSpace();
    if (this.s[this.p] === ')') {
      this.p++;
      return first;
    }
    this.p = start;
    return { kind: 'tuple', value: this.items(')') };
  }

  private dict(): PythonLiteral {
    this.p++;
    const result: Record<string, unknown> = {};
    for (;;) {
      this.skipSpace();
      if (this.s[this.p] === '}') {
        this.p++;
        return { kind: 'dict', value: result };
      }
      const key = this.literal();
      if (key.kind !== 'str') this.fail();
      this.skipSpace();
      if (this.s[this.p] !== ':') this.fail();
      this.p++;
      const value = this.literal().value;
      Object.defineProperty(result, key.value as string, { value, enumerable: true, writable: true, configurable: true });
      this.skipSpace();
      if (this.s[this.p] === ',') this.p++;
      else if (this.s[this.p] !== '}') this.fail();
    }
  }
}

/** Python's `repr()` of a float: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return "float('nan')";
  if (value === Infinity) return "float('inf')";
  if (value === -Infinity) return "float('-inf')";
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e');
  const exponent = Number(exponentText);
  const digits = mantissa.replace('.', '');
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const magnitude = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${digits[0]}${fraction}e${exponent < 0 ? '-' : '+'}${magnitude}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  return `${sign}${whole}.${digits.slice(exponent + 1) || '0'}`;
}

/** A double-quoted Python string literal; printable non-ASCII characters are kept as they are. */
export function pythonStringLiteral(value: string): string {
  let out = '"';
  for (const c of value) {
    const code = c.codePointAt(0) ?? 0;
    if (c === '\\') out += '\\\\';
    else if (c === '"') out += '\\"';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (code < 0x20 || (code >= 0x7f && code <= 0xa0) || code === 0xad) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code === 0x2028 || code === 0x2029 || code === 0xfeff || (code >= 0xd800 && code <= 0xdfff)) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else out += c;
  }
  return `${out}"`;
}

/**
 * Renders a JavaScript value as Python source: strings double-quoted and escaped, True/False/None,
 * lists, dicts. Whole numbers render as ints unless `asFloat`, which keeps a decimal point.
 */
export function renderPythonLiteral(value: unknown, asFloat = false): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return pythonStringLiteral(value);
  if (typeof value === 'bigint') return asFloat ? pythonFloatRepr(Number(value)) : value.toString();
  if (typeof value === 'number') {
    if (!asFloat && Number.isInteger(value)) return BigInt(value).toString();
    return pythonFloatRepr(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => renderPythonLiteral(item)).join(', ')}]`;
  if (typeof value === 'object' && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .map(([key, member]) => `${pythonStringLiteral(key)}: ${renderPythonLiteral(member)}`);
    return `{${entries.join(', ')}}`;
  }
  throw new TypeError(`Cannot write a ${typeof value} as a Python literal`);
}
