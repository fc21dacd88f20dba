import { UsageError, optionString } from './argParser';
import type { CliCommand, CliIo } from './cliCommand';
import { CONNECTION_OPTIONS, withClient } from './clientConnection';
import { flag, positiveInteger } from './optionValues';
import { formatTable } from './tableFormat';
import { querySql, type SqlAnswer, type SqlValue } from '../core/client/sqlClient';
import { formatCsvRow } from '../core/data/csvWriter';
import { describeSystemViews } from '../core/store/sqlViews';

const cellText = (value: SqlValue): string => (value === null ? '' : String(value));

/** The answer as an aligned table; columns holding only numbers (and NULLs) are right-aligned. */
export function formatSqlTable(answer: SqlAnswer): string {
  const numeric = answer.columns.map((_, i) => answer.rows.some((row) => row[i] !== null) && answer.rows.every((row) => row[i] === null || typeof row[i] === 'number'));
  return formatTable(
    answer.columns.map((header, i) => ({ header, right: numeric[i] })),
    answer.rows.map((row) => row.map(cellText)),
    { maxCell: 60 },
  );
}

/** `trackside sql "SELECT …"`: read-only SQL over the system.ml.* views of a Trackside store. */
export const sqlCommand: CliCommand = {
  spec: {
    name: 'sql',
    summary: 'Run a read-only SQL query over the system.ml.* views (experiments, runs, metrics, params, tags, models, …).',
    usage: 'trackside sql "SELECT … FROM system.ml.runs …" [--max-rows N] [--timeout SECONDS] [--json | --csv] | trackside sql --views',
    options: [
      { name: 'max-rows', value: 'N', description: 'Return at most N rows (default 10,000; at most 100,000)' },
      { name: 'timeout', value: 'SECONDS', description: 'Stop the query after this long (default 10; at most 120)' },
      { name: 'json', description: 'Print {columns, rows, truncated, elapsed_ms} as JSON' },
      { name: 'csv', description: 'Print the rows as CSV with a header line' },
      { name: 'views', description: 'List the views and their columns, and exit' },
      ...CONNECTION_OPTIONS,
    ],
  },
  async run(args, io: CliIo) {
    if (flag(args, 'views')) {
      io.out(describeSystemViews());
      return 0;
    }
    const query = args.positionals.join(' ').trim();
    if (!query) throw new UsageError('Give the query, e.g. trackside sql "SELECT run_name, status FROM system.ml.runs LIMIT 5" (--views lists the views).');
    if (flag(args, 'json') && flag(args, 'csv')) throw new UsageError('Choose one of --json and --csv.');
    const timeoutText = optionString(args, 'timeout');
    const seconds = timeoutText === undefined ? undefined : Number(timeoutText);
    if (seconds !== undefined && !(seconds > 0 && seconds <= 120)) throw new UsageError(`--timeout must be a number of seconds from 0.1 to 120, got '${timeoutText}'.`);
    const answer = await withClient(args, io, (client) =>
      querySql(client, query, { maxRows: positiveInteger(args, 'max-rows'), timeoutMs: seconds === undefined ? undefined : Math.round(seconds * 1000) }),
    );
    if (flag(args, 'json')) io.out(JSON.stringify(answer));
    else if (flag(args, 'csv')) io.out([formatCsvRow(answer.columns), ...answer.rows.map((row) => formatCsvRow(row))].join('\n'));
    else io.out(formatSqlTable(answer));
    if (!flag(args, 'json')) {
      const shown = `${answer.rows.length.toLocaleString('en-US')} row(s) in ${answer.elapsed_ms} ms`;
      io.err(answer.truncated ? `${shown}; more rows matched: raise --max-rows to see them.` : shown);
    }
    return 0;
  },
};

