import { sortFloat64 } from './sortFloat64';

export type ColumnKind = 'numeric' | 'categorical';

/** What one column of a dataset holds. Rates and moments count non-null values only. */
export interface ColumnProfile {
  name: string;
  /** Numeric when every non-null value parses as a finite number (also when all are null). */
  kind: ColumnKind;
  /** Rows seen. */
  count: number;
  nullCount: number;
  /** `nullCount / count`; 0 for no rows. */
  nullRate: number;
  /** Non-null values. */
  valueCount: number;
  /** Up to five distinct non-null values, as first seen. */
  examples: string[];
  /** Numeric only (NaN for no values): mean, sample standard deviation (n - 1; 0 for one value). */
  mean?: number;
  std?: number;
  min?: number;
  max?: number;
  /** Numeric only: the non-null values, ascending. */
  sortedValues?: Float64Array;
  /** Categorical only: count per value (numbers seen before the column turned categorical are keyed as `String(x)`). */
  categories?: Map<string, number>;
  /** Categorical only: values past `maxCategories` distinct ones, counted together. */
  otherCount?: number;
}

export interface DatasetProfile {
  rowCount: number;
  columns: ColumnProfile[];
}

export interface ColumnStatsOptions {
  /**
   * Texts read as missing besides the empty (or all-whitespace) field; pandas' usual ones unless
   * told: `NA`, `N/A`, `NaN`, `nan`, `null`, `NULL`, `None`, `none`, `-`... see `defaultNullTokens`.
   */
  nullTokens?: readonly string[];
  /** Distinct values counted per categorical column; the rest go to `otherCount`. 10,000 unless told. */
  maxCategories?: number;
}

export const defaultNullTokens: readonly string[] = ['NA', 'N/A', 'n/a', 'NaN', 'nan', '-nan', 'NULL', 'null', 'None', 'none', '#N/A', '<NA>'];

const exampleLimit = 5;
const initialCapacity = 1024;

class ColumnAccumulator {
  numeric = true;
  values = new Float64Array(initialCapacity);
  length = 0;
  mean = 0;
  squares = 0;
  min = Infinity;
  max = -Infinity;
  nulls = 0;
  categories: Map<string, number> | undefined;
  other = 0;
  examples: string[] = [];

  constructor(readonly name: string) {}

  pushNumber(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
    const delta = value - this.mean;
    this.mean += delta / this.length;
    this.squares += delta * (value - this.mean);
    if (value < this.min) {
      this.min = value;
    }
    if (value > this.max) {
      this.max = value;
    }
  }

  /** The column has a non-number: from now on it counts texts; the numbers so far become texts. */
  becomeCategorical(maxCategories: number): void {
    this.numeric = false;
    this.categories = new Map();
    for (let index = 0; index < this.length; index++) {
      this.countCategory(String(this.values[index]), maxCategories);
    }
    this.values = new Float64Array(0);
    this.length = 0;
  }

  countCategory(text: string, maxCategories: number): void {
    const categories = this.categories as Map<string, number>;
    const count = categories.get(text);
    if (count !== undefined) {
      categories.set(text, count + 1);
    } else if (categories.size < maxCategories) {
      categories.set(detach(text), 1);
    } else {
      this.other++;
    }
  }

  noteExample(text: string): void {
    if (!this.examples.includes(text)) {
      this.examples.push(detach(text));
    }
  }
}

/**
 * Profiles a table batch by batch (see `openCsv`), keeping numbers as doubles (8 bytes each) and
 * categories as counts, never the rows. Mean and variance use Welford's streaming update.
 */
export class ColumnStatsCollector {
  private readonly columns: ColumnAccumulator[];
  private readonly nullTokens: Set<string>;
  private readonly maxCategories: number;
  private rows = 0;
  private finished = false;

  constructor(readonly header: readonly string[], options: ColumnStatsOptions = {}) {
    this.columns = header.map((name) => new ColumnAccumulator(name));
    this.nullTokens = new Set(options.nullTokens ?? defaultNullTokens);
    this.maxCategories = options.maxCategories ?? 10_000;
  }

  /** Adds rows; each row has a field per header column (missing fields count as null). */
  add(batch: readonly (readonly string[])[]): void {
    if (this.finished) {
      throw new Error('This column profile is already finished');
    }
    const columns = this.columns;
    const width = columns.length;
    for (let rowIndex = 0; rowIndex < batch.length; rowIndex++) {
      const row = batch[rowIndex];
      for (let columnIndex = 0; columnIndex < width; columnIndex++) {
        const column = columns[columnIndex];
        const text = row[columnIndex];
        if (text === undefined || text.length === 0) {
          column.nulls++;
          continue;
        }
        if (column.examples.length < exampleLimit) {
          if (this.isNull(text)) {
            column.nulls++;
            continue;
          }
          column.noteExample(text);
        }
        if (column.numeric) {
          const value = parseFiniteNumber(text);
          if (value === value) {
            column.pushNumber(value);
            continue;
          }
          if (this.isNull(text)) {
            column.nulls++;
            continue;
          }
          column.becomeCategorical(this.maxCategories);
        } else if (this.isNull(text)) {
          column.nulls++;
          continue;
        }
        column.countCategory(text, this.maxCategories);
      }
    }
    this.rows += batch.length;
  }

  /** Ends the profile: sorts the numbers and returns one profile per column. */
  finish(): DatasetProfile {
    this.finished = true;
    const rowCount = this.rows;
    const columns = this.columns.map((column): ColumnProfile => {
      const base = {
        name: column.name,
        count: rowCount,
        nullCount: column.nulls,
        nullRate: rowCount === 0 ? 0 : column.nulls / rowCount,
        examples: column.examples,
      };
      if (!column.numeric) {
        const categories = column.categories as Map<string, number>;
        let valueCount = column.other;
        for (const count of categories.values()) {
          valueCount += count;
        }
        return { ...base, kind: 'categorical', valueCount, categories, otherCount: column.other };
      }
      const sortedValues = sortFloat64(column.values.slice(0, column.length));
      column.values = new Float64Array(0);
      const count = column.length;
      return {
        ...base,
        kind: 'numeric',
        valueCount: count,
        mean: count === 0 ? NaN : column.mean,
        std: count === 0 ? NaN : count === 1 ? 0 : Math.sqrt(column.squares / (count - 1)),
        min: count === 0 ? NaN : column.min,
        max: count === 0 ? NaN : column.max,
        sortedValues,
      };
    });
    return { rowCount, columns };
  }

  private isNull(text: string): boolean {
    return this.nullTokens.has(text) || (text.charCodeAt(0) <= 32 && text.trim().length === 0);
  }
}

/** Profiles rows already in memory. */
export function profileRows(header: readonly string[], rows: readonly (readonly string[])[], options: ColumnStatsOptions = {}): DatasetProfile {
  const collector = new ColumnStatsCollector(header, options);
  collector.add(rows);
  return collector.finish();
}

const powersOfTen = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * The number a text holds, or NaN: decimal and exponent forms with optional sign and surrounding
 * whitespace. Not numbers here: empty or blank text, `Infinity`, `NaN`, hex/octal/binary literals.
 *
 * Plain decimals of at most 15 digits (most CSV numbers) take a fast path: the digits as an exact
 * integer divided by an exact power of ten — one correctly rounded division, so the result is
 * the same double `Number(text)` gives, a little sooner.
 */
export function parseFiniteNumber(text: string): number {
  const length = text.length;
  let index = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 45) {
    negative = true;
    index = 1;
  } else if (first === 43) {
    index = 1;
  }
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = -1;
  for (; index < length; index++) {
    const code = text.charCodeAt(index);
    const digit = code - 48;
    if (digit >= 0 && digit <= 9) {
      mantissa = mantissa * 10 + digit;
      digits++;
      if (fractionDigits >= 0) {
        fractionDigits++;
      }
    } else if (code === 46 && fractionDigits < 0) {
      fractionDigits = 0;
    } else {
      return parseOtherNumber(text);
    }
  }
  if (digits === 0 || digits > 15) {
    return parseOtherNumber(text);
  }
  const value = fractionDigits <= 0 ? mantissa : mantissa / powersOfTen[fractionDigits];
  return negative ? -value : value;
}

function parseOtherNumber(text: string): number {
  if (text.length === 0) {
    return NaN;
  }
  const value = +text;
  if (value - value !== 0) {
    return NaN; // NaN or ±Infinity
  }
  const first = text.charCodeAt(0);
  if (first === 48 && text.length > 2) {
    const second = text.charCodeAt(1) | 32;
    if (second === 120 || second === 111 || second === 98) {
      return NaN; // 0x.., 0o.., 0b..
    }
  } else if (first <= 32) {
    const trimmed = text.trim();
    return trimmed.length === 0 ? NaN : parseOtherNumber(trimmed);
  }
  return value;
}

/** The q-quantile (0..1) of ascending values, interpolating linearly (numpy's default). NaN when empty. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const length = sorted.length;
  if (length === 0) {
    return NaN;
  }
  const position = (length - 1) * Math.min(1, Math.max(0, q));
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, length - 1);
  return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
}

/** How many of the ascending values are <= `limit` (binary search). */
export function countAtMost(sorted: ArrayLike<number>, limit: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] <= limit) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low;
}

/**
 * Counts ascending values into bins cut at ascending `cutPoints`: bin 0 is (-inf, c0], bin i is
 * (c(i-1), ci], the last is (c(last), +inf) — so there is one more bin than cut points.
 */
export function binCounts(sorted: ArrayLike<number>, cutPoints: readonly number[]): number[] {
  const counts: number[] = [];
  let below = 0;
  for (const cut of cutPoints) {
    const atMost = countAtMost(sorted, cut);
    counts.push(atMost - below);
    below = atMost;
  }
  counts.push(sorted.length - below);
  return counts;
}

/** A copy of a text that does not keep the (possibly megabytes long) chunk it was cut from alive. */
function detach(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, 'utf8').toString('utf8');
}
