import { invalidParameter, type TrackingError } from '../store/trackingError';

/**
 * The tokenizer and parser for MLflow's search filter grammar, shared by runs, experiments and the
 * registry. It knows the syntax only; what each entity and key means is checked by the callers
 * (`runFilter.ts`, `experimentSearchSql.ts`, `registrySearchSql.ts`).
 *
 *   filter     := or
 *   or         := and ( OR and )*             -- OR and parentheses are Trackside extensions
 *   and        := primary ( AND primary )*
 *   primary    := '(' or ')' | comparison
 *   comparison := identifier comparator value | identifier [NOT] IN list
 *   identifier := segment ( '.' segment )*    -- segment: word, `backticked` or "double-quoted"
 *   value      := 'string' | "string" | number | word
 *   list       := '(' [ value ( ',' value )* ] ')'
 */

export type FilterTokenKind = 'identifier' | 'string' | 'number' | 'comparator' | 'open' | 'close' | 'comma' | 'invalid';

export interface IdentifierSegment {
  /** The segment without its quotes (backticks or double quotes), escapes resolved. */
  value: string;
  quote?: '`' | '"';
}

export interface FilterToken {
  kind: FilterTokenKind;
  /** The token's text as written. */
  text: string;
  start: number;
  end: number;
  /** For `identifier`: its dot-separated segments. */
  segments?: IdentifierSegment[];
  /** For `string`: the value without quotes; for `number`: the number. */
  value?: string | number;
}

export interface FilterIdentifier {
  /** The entity prefix (`metrics`, `tags`, …) as written, quotes removed; absent for a bare key. */
  entity?: string;
  key: string;
  text: string;
}

export type FilterValue =
  | { kind: 'string'; value: string; text: string }
  | { kind: 'number'; value: number; text: string }
  /** An unquoted word or a backticked name where a value belongs: callers reject it with MLflow's message. */
  | { kind: 'word'; text: string }
  | { kind: 'list'; items: FilterValue[]; text: string };

export interface FilterComparison {
  identifier: FilterIdentifier;
  /** Upper-cased: `=`, `!=`, `<`, `<=`, `>`, `>=`, `LIKE`, `ILIKE`, `IN`, `NOT IN` (or `==`, `<>`, which callers reject). */
  comparator: string;
  value: FilterValue;
  text: string;
}

export type FilterTree<Condition> =
  | { kind: 'condition'; condition: Condition }
  | { kind: 'and' | 'or'; operands: FilterTree<Condition>[] };

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'LIKE', 'ILIKE']);
const COMPARATORS = ['!=', '<>', '<=', '>=', '==', '=', '<', '>'];
const WORD_CHAR = /[\p{L}\p{N}_]/u;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/y;

/** MLflow's message for a filter it cannot read, naming the clause at fault. */
export function invalidClause(fragment: string): TrackingError {
  return invalidParameter(`Invalid clause(s) in filter string: '${fragment}'`);
}

/** Splits a filter (or an order_by clause) into tokens; never throws (bad text becomes an `invalid` token). */
export function tokenizeFilter(text: string): FilterToken[] {
  const tokens: FilterToken[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    const push = (kind: FilterTokenKind, end: number, extra: Partial<FilterToken> = {}): void => {
      tokens.push({ kind, text: text.slice(start, end), start, end, ...extra });
      i = end;
    };
    if (ch === '(') push('open', i + 1);
    else if (ch === ')') push('close', i + 1);
    else if (ch === ',') push('comma', i + 1);
    else if (ch === "'") {
      const quoted = readQuoted(text, i);
      if (!quoted) push('invalid', text.length);
      else push('string', quoted.end, { value: quoted.value });
    } else {
      const comparator = COMPARATORS.find((c) => text.startsWith(c, i));
      NUMBER.lastIndex = i;
      const number = NUMBER.exec(text);
      if (comparator) push('comparator', i + comparator.length);
      else if (number && !WORD_CHAR.test(text[i + number[0].length] ?? '')) {
        push('number', i + number[0].length, { value: Number(number[0]) });
      } else if (WORD_CHAR.test(ch) || ch === '`' || ch === '"') {
        const identifier = readIdentifier(text, i);
        if (!identifier) push('invalid', text.length);
        else push('identifier', identifier.end, { segments: identifier.segments });
      } else {
        push('invalid', i + 1);
      }
    }
  }
  return tokens;
}

/** A quoted run starting at `start` (its quote character opens and closes it), or undefined if unterminated. */
function readQuoted(text: string, start: number): { value: string; end: number } | undefined {
  const quote = text[start];
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === quote) {
      if (text[i + 1] === quote) {
        value += quote;
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    if (ch === '\\' && quote !== '`' && (text[i + 1] === quote || text[i + 1] === '\\')) {
      value += text[i + 1];
      i += 2;
      continue;
    }
    value += ch;
    i++;
  }
  return undefined;
}

function readIdentifier(text: string, start: number): { segments: IdentifierSegment[]; end: number } | undefined {
  const segments: IdentifierSegment[] = [];
  let i = start;
  for (;;) {
    const ch = text[i];
    if (ch === '`' || ch === '"') {
      const quoted = readQuoted(text, i);
      if (!quoted) return undefined;
      segments.push({ value: quoted.value, quote: ch });
      i = quoted.end;
    } else {
      let end = i;
      while (end < text.length && WORD_CHAR.test(text[end])) end++;
      segments.push({ value: text.slice(i, end) });
      i = end;
    }
    const next = text[i + 1] ?? '';
    if (text[i] !== '.' || !(WORD_CHAR.test(next) || next === '`' || next === '"')) break;
    i++;
  }
  return { segments, end: i };
}

/** The upper-cased keyword an identifier token spells (AND, OR, NOT, IN, LIKE, ILIKE), if any. */
export function keywordOf(token: FilterToken | undefined): string | undefined {
  if (token?.kind !== 'identifier' || token.segments?.length !== 1 || token.segments[0].quote) return undefined;
  const upper = token.segments[0].value.toUpperCase();
  return KEYWORDS.has(upper) ? upper : undefined;
}

/** MLflow's reading of `entity.key`: the first dot splits the entity from the key. */
export function identifierOf(token: FilterToken): FilterIdentifier {
  const segments = token.segments ?? [];
  if (segments.length === 1) return { key: segments[0].value, text: token.text };
  return {
    entity: segments[0].value,
    key: segments.slice(1).map((s) => s.value).join('.'),
    text: token.text,
  };
}

/** Parses a filter; undefined for an empty or all-whitespace filter. Throws INVALID_PARAMETER_VALUE. */
export function parseFilter(filter: string | undefined): FilterTree<FilterComparison> | undefined {
  if (filter === undefined || filter.trim() === '') return undefined;
  return new FilterParser(filter).parse();
}

/** Rebuilds a parsed filter with each condition replaced by `fn(condition)`. */
export function mapFilterTree<A, B>(tree: FilterTree<A>, fn: (condition: A) => B): FilterTree<B> {
  if (tree.kind === 'condition') return { kind: 'condition', condition: fn(tree.condition) };
  return { kind: tree.kind, operands: tree.operands.map((operand) => mapFilterTree(operand, fn)) };
}

/** Deeper nesting than this is refused (recursion and SQLite's expression depth stay bounded). */
const MAX_NESTING = 64;

class FilterParser {
  private readonly tokens: FilterToken[];
  private position = 0;
  private depth = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenizeFilter(source);
  }

  parse(): FilterTree<FilterComparison> {
    const tree = this.parseOr();
    if (this.position < this.tokens.length) this.fail(this.position);
    return tree;
  }

  private parseOr(): FilterTree<FilterComparison> {
    const operands = [this.parseAnd()];
    while (keywordOf(this.peek()) === 'OR') {
      this.position++;
      operands.push(this.parseAnd());
    }
    return operands.length === 1 ? operands[0] : { kind: 'or', operands };
  }

  private parseAnd(): FilterTree<FilterComparison> {
    const operands = [this.parsePrimary()];
    while (keywordOf(this.peek()) === 'AND') {
      this.position++;
      operands.push(this.parsePrimary());
    }
    return operands.length === 1 ? operands[0] : { kind: 'and', operands };
  }

  private parsePrimary(): FilterTree<FilterComparison> {
    const open = this.peek();
    if (open?.kind !== 'open') return { kind: 'condition', condition: this.parseComparison() };
    const openIndex = this.position++;
    if (this.peek()?.kind === 'close') this.fail(openIndex);
    if (++this.depth > MAX_NESTING) throw invalidParameter(`Invalid filter: parentheses nested more than ${MAX_NESTING} deep.`);
    const inner = this.parseOr();
    if (this.peek()?.kind !== 'close') this.fail(openIndex, this.tokens.length);
    this.position++;
    this.depth--;
    return inner;
  }

  private parseComparison(): FilterComparison {
    const first = this.position;
    const identifierToken = this.peek();
    if (identifierToken?.kind !== 'identifier' || keywordOf(identifierToken)) this.fail(first);
    this.position++;
    const comparator = this.parseComparator(first);
    let value: FilterValue;
    if (comparator === 'IN' || comparator === 'NOT IN') {
      if (this.peek()?.kind !== 'open') this.fail(first);
      value = this.parseList(first);
    } else {
      value = this.parseScalar(first, this.peek());
      this.position++;
    }
    const last = this.tokens[this.position - 1];
    return {
      identifier: identifierOf(identifierToken),
      comparator,
      value,
      text: this.source.slice(identifierToken.start, last.end),
    };
  }

  private parseComparator(first: number): string {
    const token = this.peek();
    if (token?.kind === 'comparator') {
      this.position++;
      return token.text;
    }
    const keyword = keywordOf(token);
    if (keyword === 'LIKE' || keyword === 'ILIKE' || keyword === 'IN') {
      this.position++;
      return keyword;
    }
    if (keyword === 'NOT' && keywordOf(this.tokens[this.position + 1]) === 'IN') {
      this.position += 2;
      return 'NOT IN';
    }
    return this.fail(first);
  }

  private parseScalar(first: number, token: FilterToken | undefined): FilterValue {
    if (token?.kind === 'string') return { kind: 'string', value: token.value as string, text: token.text };
    if (token?.kind === 'number') return { kind: 'number', value: token.value as number, text: token.text };
    if (token?.kind === 'identifier' && !keywordOf(token)) {
      const segments = token.segments ?? [];
      if (segments.length === 1 && segments[0].quote === '"') return { kind: 'string', value: segments[0].value, text: token.text };
      return { kind: 'word', text: token.text };
    }
    return this.fail(first);
  }

  private parseList(first: number): FilterValue {
    const open = this.tokens[this.position++];
    const items: FilterValue[] = [];
    if (this.peek()?.kind !== 'close') {
      for (;;) {
        items.push(this.parseScalar(first, this.peek()));
        this.position++;
        if (this.peek()?.kind !== 'comma') break;
        this.position++;
      }
    }
    const close = this.peek();
    if (close?.kind !== 'close') return this.fail(first);
    this.position++;
    return { kind: 'list', items, text: this.source.slice(open.start, close.end) };
  }

  private peek(): FilterToken | undefined {
    return this.tokens[this.position];
  }

  /**
   * Throws MLflow's "Invalid clause(s)" naming the clause at fault: from token `from` through the
   * failing token, on to the end of that clause (the next AND / OR or unmatched `)`), or to `to`.
   */
  private fail(from: number, to?: number): never {
    // Past the end (a trailing AND/OR or comparator): name the last token.
    const fromIndex = Math.max(0, Math.min(from, this.tokens.length - 1));
    let last = fromIndex;
    if (to !== undefined) last = to - 1;
    else {
      const failedAt = Math.max(fromIndex, this.position);
      let depth = 0;
      for (let i = fromIndex; i < this.tokens.length; i++) {
        const token = this.tokens[i];
        const connective = keywordOf(token) === 'AND' || keywordOf(token) === 'OR';
        if (i > fromIndex && token.kind === 'close' && depth <= 0) break;
        if (i > failedAt && depth <= 0 && connective) break;
        if (token.kind === 'open') depth++;
        else if (token.kind === 'close') depth--;
        last = i;
      }
    }
    const start = this.tokens[fromIndex]?.start ?? 0;
    const end = this.tokens[last]?.end ?? this.source.length;
    const fragment = this.source.slice(start, Math.max(start, end)).trim();
    throw invalidClause(fragment || this.source.trim());
  }
}
