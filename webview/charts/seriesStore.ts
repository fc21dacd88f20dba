import { appendTail, lastStep, mergeRange } from '../../src/shared/charts/bucketMerge';
import { unpackSeries, type PackedSeries } from '../../src/shared/charts/packedSeries';
import type { SeriesColumns } from '../../src/shared/charts/seriesColumns';
import type { SeriesRequest } from '../../src/shared/protocol/chartsProtocol';

type Loader = (request: SeriesRequest) => Promise<PackedSeries[]>;

interface KeyEntry {
  /** The whole step range at the chart's base resolution. */
  base: Map<string, SeriesColumns>;
  /** `base` with finer buckets merged in for the zoomed range (what is drawn). */
  shown: Map<string, SeriesColumns>;
  budget: number;
  zoom?: [number, number];
  loading?: Promise<void>;
}

/**
 * The series each chart draws, per metric key and run. The first load asks for about one bucket
 * per two pixels of the whole range; zooming asks for that many buckets of the visible step range
 * and merges them in; new points of running runs are appended from the last step on.
 */
export class SeriesStore {
  private readonly keys = new Map<string, KeyEntry>();
  private generation = 0;

  constructor(private readonly load: Loader) {}

  has(key: string): boolean {
    return this.keys.has(key);
  }

  series(key: string): ReadonlyMap<string, SeriesColumns> {
    return this.keys.get(key)?.shown ?? new Map();
  }

  get(key: string, runId: string): SeriesColumns | undefined {
    return this.keys.get(key)?.shown.get(runId);
  }

  zoomOf(key: string): [number, number] | undefined {
    return this.keys.get(key)?.zoom;
  }

  /** Loads keys not loaded yet (or all again with `force`), at `budget` buckets per series. */
  async ensure(keys: readonly string[], runIds: readonly string[], budget: number, force = false): Promise<void> {
    const missing = keys.filter((key) => force || !this.keys.has(key));
    if (missing.length === 0 || runIds.length === 0) {
      await Promise.all(keys.map((key) => this.keys.get(key)?.loading));
      return;
    }
    const generation = this.generation;
    const loading = this.load({ runIds: [...runIds], keys: missing, maxBuckets: budget }).then((packed) => {
      if (generation !== this.generation) return;
      const byKey = new Map<string, Map<string, SeriesColumns>>();
      for (const series of unpackSeries(packed)) {
        let runs = byKey.get(series.key);
        if (!runs) byKey.set(series.key, (runs = new Map()));
        runs.set(series.runId, series);
      }
      for (const key of missing) {
        const base = byKey.get(key) ?? new Map();
        this.keys.set(key, { base, shown: new Map(base), budget });
      }
    });
    for (const key of missing) {
      const entry = this.keys.get(key);
      if (entry) entry.loading = loading;
      else this.keys.set(key, { base: new Map(), shown: new Map(), budget, loading });
    }
    await loading;
  }

  /**
   * Zooms a key's series into a step range: fetches `budget` buckets of that range (with the
   * x-axis metric's, when given) and merges them into the base series. `undefined` resets.
   */
  async zoom(key: string, range: [number, number] | undefined, runIds: readonly string[], budget: number, companions: readonly string[] = []): Promise<void> {
    const entry = this.keys.get(key);
    if (!entry) return;
    entry.zoom = range;
    if (!range) {
      entry.shown = new Map(entry.base);
      for (const other of companions) this.resetCompanion(other);
      return;
    }
    const keys = [key, ...companions.filter((k) => k !== key)];
    const packed = await this.load({ runIds: [...runIds], keys, maxBuckets: budget, startStep: range[0], endStep: range[1] });
    if (entry.zoom !== range) return;
    for (const finer of unpackSeries(packed)) {
      const target = this.keys.get(finer.key);
      if (!target) continue;
      const base = target.base.get(finer.runId);
      target.shown.set(finer.runId, base ? mergeRange(base, finer, range[0], range[1]) : finer);
    }
  }

  /**
   * Appends what these runs logged since the last step each series holds. A series that grew past
   * twice its budget is reloaded whole at the budget (so it stays about one bucket per two pixels).
   */
  async append(key: string, runIds: readonly string[]): Promise<void> {
    const entry = this.keys.get(key);
    if (!entry) return;
    const fresh: string[] = [];
    const tails: Promise<void>[] = [];
    for (const runId of runIds) {
      const base = entry.base.get(runId);
      const from = base ? lastStep(base) : undefined;
      if (!base || from === undefined || base.steps.length > entry.budget * 2) {
        fresh.push(runId);
        continue;
      }
      tails.push(
        this.load({ runIds: [runId], keys: [key], maxBuckets: entry.budget, startStep: from }).then((packed) => {
          const [tail] = unpackSeries(packed);
          if (!tail || tail.steps.length === 0) return;
          const merged = appendTail(base, tail);
          entry.base.set(runId, merged);
          if (!entry.zoom) entry.shown.set(runId, merged);
        }),
      );
    }
    if (fresh.length > 0) {
      tails.push(
        this.load({ runIds: fresh, keys: [key], maxBuckets: entry.budget }).then((packed) => {
          for (const series of unpackSeries(packed)) {
            entry.base.set(series.runId, series);
            if (!entry.zoom) entry.shown.set(series.runId, series);
          }
        }),
      );
    }
    await Promise.all(tails);
  }

  /** Forgets a key (its chart was removed). */
  drop(key: string): void {
    this.keys.delete(key);
  }

  /** Forgets everything (the runs changed). */
  clear(): void {
    this.generation++;
    this.keys.clear();
  }

  private resetCompanion(key: string): void {
    const entry = this.keys.get(key);
    if (entry && !entry.zoom) entry.shown = new Map(entry.base);
  }
}
