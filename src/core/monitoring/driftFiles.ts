import { basename, extname } from 'node:path';
import { ColumnStatsCollector, ColumnStatsOptions, DatasetProfile } from '../data/columnStats';
import { openCsv, TableReadOptions, TableStream } from '../data/csvReader';
import { describeSchemaDrift, readJsonLines } from '../data/jsonLinesReader';
import { checkDrift, DriftReport, DriftThresholds } from './drift';

export interface DriftFilesOptions extends TableReadOptions, ColumnStatsOptions {
  thresholds?: Partial<DriftThresholds>;
}

export interface DriftFilesResult {
  report: DriftReport;
  /** Things worth telling a person that are not drift, such as JSON Lines schema drift. */
  warnings: string[];
  /** Milliseconds spent reading and profiling each file, and comparing. */
  timings: { referenceMs: number; currentMs: number; compareMs: number };
}

/**
 * Checks drift between two data files (CSV with a header row, or JSON Lines for `.jsonl` and
 * `.ndjson`), streaming each through a column profile: memory holds the numeric columns as doubles
 * and the category counts, never the rows.
 */
export async function checkDriftFiles(referencePath: string, currentPath: string, options: DriftFilesOptions = {}): Promise<DriftFilesResult> {
  const warnings: string[] = [];
  let started = performance.now();
  const reference = await profileFile(referencePath, options, warnings);
  const referenceMs = performance.now() - started;
  started = performance.now();
  const current = await profileFile(currentPath, options, warnings);
  const currentMs = performance.now() - started;
  started = performance.now();
  const report = checkDrift(reference, current, options.thresholds);
  return { report, warnings, timings: { referenceMs, currentMs, compareMs: performance.now() - started } };
}

/** Reads a CSV or JSON Lines file batch by batch into a column profile. */
export async function profileFile(path: string, options: TableReadOptions & ColumnStatsOptions = {}, warnings: string[] = []): Promise<DatasetProfile> {
  const extension = extname(path).toLowerCase();
  const isJsonLines = extension === '.jsonl' || extension === '.ndjson';
  const jsonLines = isJsonLines ? await readJsonLines(path, options) : undefined;
  const table: TableStream = jsonLines ?? (await openCsv(path, options));
  const collector = new ColumnStatsCollector(table.header, options);
  for await (const batch of table.batches) {
    collector.add(batch);
  }
  if (jsonLines !== undefined) {
    warnings.push(...describeSchemaDrift(basename(path), jsonLines));
  }
  return collector.finish();
}
