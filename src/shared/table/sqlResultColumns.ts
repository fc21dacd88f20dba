import type { SqlResultCell } from '../protocol/sqlResultsProtocol';

/** One column of a SQL result as the results grid draws it. */
export interface SqlResultColumn {
  name: string;
  /** Pixels, from the widest of the header and the sampled cells, within [MIN, MAX]. */
  width: number;
  /** Every non-NULL cell is a number (then the column is right-aligned). */
  numeric: boolean;
}

const CHARACTER_PX = 8;
const PADDING_PX = 24;
export const MIN_COLUMN_PX = 56;
export const MAX_COLUMN_PX = 420;
/** Rows looked at to size the columns (a result may have 100,000): the first ones and some spread over the rest. */
const SAMPLE_ROWS = 300;

/** How a cell reads: numbers as JavaScript writes them, text as is, NULL as `NULL`. */
export function sqlCellText(value: SqlResultCell): string {
  if (value === null) return 'NULL';
  return typeof value === 'number' ? String(value) : value;
}

/**
 * Widths and alignment of a result's columns: widths from the header and the first rows, numeric
 * when every non-NULL cell of the whole result is a number.
 */
export function sqlResultColumns(columns: readonly string[], rows: readonly (readonly SqlResultCell[])[]): SqlResultColumn[] {
  const sample = sampleRows(rows);
  return columns.map((name, index) => {
    let longest = name.length + 1;
    for (const row of sample) longest = Math.max(longest, sqlCellText(row[index] ?? null).length);
    let numbers = 0;
    let texts = 0;
    for (const row of rows) {
      const value = row[index] ?? null;
      if (typeof value === 'number') numbers++;
      else if (value !== null) {
        texts++;
        break;
      }
    }
    const width = Math.round(Math.min(MAX_COLUMN_PX, Math.max(MIN_COLUMN_PX, longest * CHARACTER_PX + PADDING_PX)));
    return { name, width, numeric: numbers > 0 && texts === 0 };
  });
}

/** The first rows and rows spread evenly over the rest, SAMPLE_ROWS in all (all of them when there are fewer). */
function sampleRows<T>(rows: readonly T[]): readonly T[] {
  if (rows.length <= SAMPLE_ROWS) return rows;
  const head = SAMPLE_ROWS / 2;
  const sample = rows.slice(0, head);
  const stride = (rows.length - head) / (SAMPLE_ROWS - head);
  for (let i = 0; i < SAMPLE_ROWS - head; i++) sample.push(rows[head + Math.floor(i * stride)]);
  return sample;
}
