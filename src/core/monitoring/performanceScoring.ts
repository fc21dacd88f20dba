import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TrackingClient } from '../client/trackingClient';
import { openCsv } from '../data/csvReader';
import type { ModelCache } from '../models/modelCache';
import type { PythonRuntime } from '../models/modelPython';
import { startScoring, type ScoringProgress } from '../models/modelScorer';
import type { ScoreModel } from './performanceRun';

const predictionColumn = '__trackside_prediction';

/**
 * The performance check's `ScoreModel` over the model scoring driver: fetches the model version
 * into the cache, scores the labelled file in a Python process (the label column is not handed to
 * the model), and returns the predictions in row order.
 */
export function scoreWithModel(
  client: TrackingClient,
  runtime: PythonRuntime,
  cache: ModelCache,
  hooks: { onProgress?: (progress: ScoringProgress) => void; onLog?: (line: string) => void } = {},
): ScoreModel {
  return async ({ modelUri, inputPath, labelColumn, signal }) => {
    const model = await cache.fetch(client, modelUri);
    const work = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'trackside-performance-'));
    try {
      const output = path.join(work, 'scored.csv');
      const job = startScoring(runtime, {
        modelFolder: model.folder,
        input: path.resolve(inputPath),
        output,
        outputFormat: 'csv',
        predictionColumn,
        excludeColumns: [labelColumn],
        onProgress: hooks.onProgress,
        onLog: hooks.onLog,
      });
      const stop = (): void => job.stop();
      signal?.addEventListener('abort', stop);
      try {
        await job.done;
      } finally {
        signal?.removeEventListener('abort', stop);
      }
      const table = await openCsv(output);
      const column = table.header.indexOf(predictionColumn);
      if (column < 0) {
        await table.batches.return();
        throw new Error(`The scored file has no ${predictionColumn} column (its columns: ${table.header.join(', ')}).`);
      }
      const predictions: string[] = [];
      for await (const batch of table.batches) {
        for (const row of batch) predictions.push(row[column]);
      }
      return predictions;
    } finally {
      await fs.promises.rm(work, { recursive: true, force: true });
    }
  };
}
