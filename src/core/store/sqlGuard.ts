import { TrackingError } from './trackingError';

/**
 * The first line of defence of `trackside sql`: a SQLite tokenizer that accepts one read-only
 * statement and rewrites Databricks-style view names (`system.ml.runs`) to the names the views
 * have in SQLite (`system_ml_runs`; SQLite has no three-part names). The query then runs on a
 * private copy of the database in a worker (see `sqlQueryRunner.ts`), so this check keeps people
 * from being surprised rather than being the only thing between them and the store.
 */

/** A query refused before it ran (not read-only, several statements, an unknown view). */
export class SqlRefusedError extends TrackingError {
  constructor(message: string) {
    super('INVALID_PARAMETER_VALUE', message);
    this.name = 'SqlRefusedError';
  }
}

type TokenKind = 'space' | 'comment' | 'word' | 'quoted' | 'string' | 'number' | 'blob' | 'punct';

interface Token {
  kind: TokenKind;
  text: string;
}

/** Statements that may start a query. */
const READ_ONLY_STARTS = new Set(['SELECT', 'WITH', 'VALUES', 'EXPLAIN']);

/** Keywords that only statements which write, change the schema or the connection contain. */
const WRITE_KEYWORDS = new Set([
  'INSERT', 'UPDATE', 'DELETE', 'REPLACE', 'CREATE', 'DROP', 'ALTER', 'ATTACH', 'DETACH', 'PRAGMA', 'VACUUM', 'REINDEX',
  'ANALYZE', 'BEGIN', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'RELEASE',
]);

const TWO_CHARACTER_OPERATORS = new Set(['<=', '>=', '<>', '!=', '==', '||', '<<', '>>', '->']);

/** Splits SQL into SQLite's tokens (comments, strings and quoted names kept whole). */
export function tokenizeSql(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const take = (kind: TokenKind, end: number): void => {
    tokens.push({ kind, text: text.slice(i, end) });
    i = end;
  };
  /** The end of a quoted run starting at `i` that closes with `close` (doubled to escape). */
  const quotedEnd = (start: number, close: string, what: string): number => {
    let j = start + 1;
    for (;;) {
      const at = text.indexOf(close, j);
      if (at < 0) throw new SqlRefusedError(`The query has an unterminated ${what} starting at character ${start + 1}.`);
      if (close !== ']' && text[at + 1] === close) {
        j = at + 2;
        continue;
      }
      return at + 1;
    }
  };
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (/\s/.test(c)) {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j])) j++;
      take('space', j);
    } else if (c === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      take('comment', end < 0 ? text.length : end + 1);
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      take('comment', end < 0 ? text.length : end + 2);
    } else if ((c === 'x' || c === 'X') && next === "'") {
      take('blob', quotedEnd(i + 1, "'", 'blob literal'));
    } else if (c === "'") {
      take('string', quotedEnd(i, "'", 'string'));
    } else if (c === '"' || c === '`') {
      take('quoted', quotedEnd(i, c, 'quoted name'));
    } else if (c === '[') {
      take('quoted', quotedEnd(i, ']', 'quoted name'));
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(next ?? ''))) {
      const match = /^(0x[0-9a-f]+|(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?)/i.exec(text.slice(i))!;
      take('number', i + match[0].length);
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(text[j])) j++;
      take('word', j);
    } else {
      const length = text.startsWith('->>', i) ? 3 : TWO_CHARACTER_OPERATORS.has(text.slice(i, i + 2)) ? 2 : 1;
      take('punct', i + length);
    }
  }
  return tokens;
}

/** A name token's value: unquoted words as written, quoted ones without their quotes. */
function nameOf(token: Token): string | undefined {
  if (token.kind === 'word') return token.text;
  if (token.kind !== 'quoted') return undefined;
  const inner = token.text.slice(1, -1);
  const quote = token.text[0];
  return quote === '[' ? inner : inner.split(quote + quote).join(quote);
}

export interface GuardedQuery {
  /** The statement to run: view names rewritten, a trailing `;` and comments kept as they were. */
  sql: string;
  /** The `system_ml_*` views it names (sorted). */
  views: string[];
}

/**
 * Accepts one read-only statement and rewrites `system.ml.<view>` to `system_ml_<view>`. Refused
 * with a SqlRefusedError: an empty query, more than one statement, a first keyword other than
 * SELECT / WITH / VALUES / EXPLAIN, any keyword that only a write or a connection change uses
 * (INSERT … RELEASE, PRAGMA, ATTACH; `replace(…)` the function is allowed), and unknown
 * `system.ml.*` names. Reserved words used as column names must be quoted ("update").
 */
export function guardQuery(text: string, knownViews: readonly string[]): GuardedQuery {
  const tokens = tokenizeSql(text);
  const significant = tokens.map((t, index) => ({ ...t, index })).filter((t) => t.kind !== 'space' && t.kind !== 'comment');
  if (significant.length === 0) throw new SqlRefusedError('The query is empty: give one SELECT statement, e.g. SELECT * FROM system.ml.runs LIMIT 10.');
  const firstSemicolon = significant.findIndex((t) => t.kind === 'punct' && t.text === ';');
  if (firstSemicolon >= 0 && firstSemicolon < significant.length - 1) {
    throw new SqlRefusedError('Only one statement can run at a time: remove everything after the first `;`.');
  }
  const first = significant[0];
  const firstWord = first.kind === 'word' ? first.text.toUpperCase() : first.text;
  if (first.kind !== 'word' || !READ_ONLY_STARTS.has(firstWord)) {
    throw new SqlRefusedError(
      `Only read-only queries can run here (SELECT, WITH … SELECT, VALUES or EXPLAIN); a statement starting with ${firstWord} is refused.`,
    );
  }
  significant.forEach((token, k) => {
    if (token.kind !== 'word') return;
    const word = token.text.toUpperCase();
    if (!WRITE_KEYWORDS.has(word)) return;
    if (word === 'REPLACE' && significant[k + 1]?.text === '(') return; // the replace() function
    throw new SqlRefusedError(
      `Queries are read-only: ${word} is refused. (A column or table named ${token.text.toLowerCase()} must be written in double quotes.)`,
    );
  });

  const known = new Set(knownViews.map((v) => v.toLowerCase()));
  const replacements = new Map<number, { end: number; text: string }>();
  const views = new Set<string>();
  for (let k = 0; k < significant.length; k++) {
    const parts = [significant[k], significant[k + 1], significant[k + 2], significant[k + 3], significant[k + 4]];
    const system = parts[0] ? nameOf(parts[0]) : undefined;
    if (system?.toLowerCase() !== 'system' || parts[1]?.text !== '.') {
      if (system && /^system_ml_/i.test(system) && known.has(system.toLowerCase())) views.add(system.toLowerCase());
      continue;
    }
    const ml = parts[2] ? nameOf(parts[2]) : undefined;
    if (ml?.toLowerCase() !== 'ml' || parts[3]?.text !== '.' || !parts[4] || !nameOf(parts[4])) continue;
    const view = `system_ml_${nameOf(parts[4])!.toLowerCase()}`;
    if (!known.has(view)) {
      throw new SqlRefusedError(
        `There is no view system.ml.${nameOf(parts[4])}. The views are ${knownViews.map((v) => v.replace(/^system_ml_/, 'system.ml.')).join(', ')}.`,
      );
    }
    views.add(view);
    replacements.set(parts[0].index, { end: parts[4].index, text: view });
    k += 4;
  }
  let sql = '';
  for (let i = 0; i < tokens.length; i++) {
    const replacement = replacements.get(i);
    if (replacement) {
      sql += replacement.text;
      i = replacement.end;
    } else sql += tokens[i].text;
  }
  return { sql, views: [...views].sort() };
}
