import fs from 'node:fs';
import path from 'node:path';
import { Database } from './database';
import { Journal, listJournalFiles, syncFolder, type JournalFs } from './journal';
import { parseJournal, type JournalRecord } from './journalFormat';
import { MetricHistory } from './metricHistory';
import { migrate } from './migrations';
import type { Mutation } from './mutations';
import { loadSqlJs } from './sqlJsLoader';
import { StoreLock, type LockInfo } from './storeLock';
import { TrackingError } from './trackingError';

export const SNAPSHOT_FILE = 'store.sqlite';

export interface StoreOptions {
  /** Who opens it (shown to other windows): 'vscode', 'cli', 'test'. */
  owner?: string;
  /** Checkpoint when the journal passes this many bytes (default 16 MB, ~250k points). */
  checkpointBytes?: number;
  /** Checkpoint after this long without writes (default 30 s; 0 = never while idle). */
  idleCheckpointMs?: number;
  /** File-system calls of the journal (tests inject failures). */
  journalFs?: JournalFs;
  /** Called with warnings (a torn journal tail dropped, a reopen after a write failure). */
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

/** The folder is owned by a live engine: connect to its server instead of opening it. */
export class StoreLockedError extends Error {
  constructor(readonly holder: LockInfo) {
    super(`The store is in use by ${holder.owner} (pid ${holder.pid}${holder.port ? `, port ${holder.port}` : ''})`);
    this.name = 'StoreLockedError';
  }
}

/** The store's files are damaged in a way a crash cannot explain; nothing was changed on disk. */
export class StoreCorruptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreCorruptError';
  }
}

type MutationApplier = (m: Mutation) => void;
type MutationListener = (m: Mutation) => void;

/**
 * One store folder: the sql.js database (in memory), its snapshot `store.sqlite`, the journal that
 * makes every acknowledged change durable, and the single-writer lock. Stores apply mutations
 * through `commit`; callers acknowledge a write only after `synced()` resolves.
 */
export class Store {
  readonly history: MetricHistory;
  private appliers: MutationApplier[] = [];
  private readonly listeners = new Set<MutationListener>();
  private broken: Error | undefined;
  private checkpointing: Promise<void> | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    readonly db: Database,
    readonly folder: string | undefined,
    private journal: Journal | undefined,
    private readonly lock: StoreLock | undefined,
    private readonly options: StoreOptions,
  ) {
    this.history = new MetricHistory(db);
  }

  /** A store with no files (unit tests, scratch work). */
  static async inMemory(): Promise<Store> {
    const db = Database.create(await loadSqlJs());
    migrate(db);
    return new Store(db, undefined, undefined, undefined, {});
  }

  /**
   * Opens (or creates) a store folder: takes the lock, loads the snapshot, replays the journal.
   * Throws StoreLockedError when a live engine owns it, StoreCorruptError when it is damaged.
   */
  static async open(folder: string, options: StoreOptions = {}): Promise<Store> {
    fs.mkdirSync(folder, { recursive: true });
    const outcome = StoreLock.acquire(folder, options.owner ?? 'trackside');
    if (!outcome.acquired) throw new StoreLockedError(outcome.holder);
    try {
      const { db, journal, fresh, records } = await loadFolder(folder, options);
      const store = new Store(db, folder, journal, outcome.lock, options);
      store.freshStore = fresh;
      store.pendingReplay = records;
      return store;
    } catch (e) {
      outcome.lock.release();
      throw e;
    }
  }

  /** True when the folder had no snapshot: the caller initialises it and checkpoints. */
  freshStore = false;

  /** Journal records beyond the snapshot, to `replay` once the appliers are registered. */
  pendingReplay: JournalRecord[] = [];

  /** Registers the code that applies mutations (the tracking and registry stores). */
  addApplier(applier: MutationApplier): void {
    this.appliers.push(applier);
  }

  /** Replays the journal records the folder held beyond its snapshot (after the appliers are added). */
  replay(): void {
    const records = this.pendingReplay;
    this.pendingReplay = [];
    for (const record of records) {
      try {
        this.db.transaction(() => this.apply(record.payload as Mutation));
      } catch (e) {
        throw new StoreCorruptError(
          `Journal record ${record.seq} (${(record.payload as Mutation).t}) could not be replayed: ${(e as Error).message}`,
        );
      }
    }
  }

  onMutation(listener: MutationListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Applies a mutation atomically and appends it to the journal; refused while the store is broken. */
  commit(m: Mutation): void {
    if (this.closed) throw new TrackingError('TEMPORARILY_UNAVAILABLE', 'The store is closed.');
    if (this.broken || this.journal?.failed) {
      throw new TrackingError(
        'TEMPORARILY_UNAVAILABLE',
        `Trackside cannot write to its store right now (${(this.broken ?? this.journal?.failed)?.message}). Retry shortly.`,
      );
    }
    try {
      this.db.transaction(() => this.apply(m));
    } catch (e) {
      if (!(e instanceof TrackingError)) this.markBroken(e as Error);
      throw e;
    }
    if (this.journal) {
      try {
        this.journal.append(m);
      } catch (e) {
        this.markBroken(e as Error);
        throw new TrackingError('TEMPORARILY_UNAVAILABLE', `The journal write failed: ${(e as Error).message}`);
      }
      this.scheduleCheckpoints();
    }
    for (const listener of this.listeners) listener(m);
  }

  /** Resolves once every change committed so far is on disk; rejects if the journal failed. */
  async synced(): Promise<void> {
    if (!this.journal) return;
    try {
      await this.journal.synced();
    } catch (e) {
      this.markBroken(e as Error);
      throw new TrackingError('TEMPORARILY_UNAVAILABLE', `The change could not be made durable: ${(e as Error).message}`);
    }
  }

  get failure(): Error | undefined {
    return this.broken ?? this.journal?.failed;
  }

  get lockInfo(): LockInfo | undefined {
    return this.lock?.current;
  }

  publish(changes: Partial<Pick<LockInfo, 'port' | 'tokenFile'>>): void {
    this.lock?.update(changes);
  }

  /**
   * Writes a snapshot: flushes metric tails, exports the database, rotates the journal, writes
   * `store.sqlite.tmp`, fsyncs, renames it over `store.sqlite`, fsyncs the folder, and deletes
   * the journal segments the snapshot covers.
   */
  checkpoint(): Promise<void> {
    if (!this.folder || !this.journal) return Promise.resolve();
    this.checkpointing ??= this.runCheckpoint().finally(() => (this.checkpointing = undefined));
    return this.checkpointing;
  }

  private async runCheckpoint(): Promise<void> {
    const folder = this.folder!;
    const journal = this.journal!;
    if (this.failure) throw this.failure;
    this.history.flush();
    this.db.run(`INSERT OR REPLACE INTO meta(key, value) VALUES ('applied_seq', ?)`, [String(journal.lastSequence)]);
    const bytes = this.db.export();
    const covered = journal.rotate();
    const target = path.join(folder, SNAPSHOT_FILE);
    const tmp = `${target}.tmp`;
    const handle = await fs.promises.open(tmp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(tmp, target);
    syncFolder(folder);
    await journal.retire(covered);
  }

  private scheduleCheckpoints(): void {
    const limit = this.options.checkpointBytes ?? 16 * 1024 * 1024;
    if (this.journal!.currentBytes > limit && !this.checkpointing) {
      void this.checkpoint().catch((e) => this.log('error', `Checkpoint failed: ${(e as Error).message}`));
    }
    const idleMs = this.options.idleCheckpointMs ?? 30_000;
    if (idleMs > 0) {
      if (this.idleTimer) this.idleTimer.refresh();
      else {
        this.idleTimer = setTimeout(() => {
          this.idleTimer = undefined;
          void this.checkpoint().catch((e) => this.log('error', `Idle checkpoint failed: ${(e as Error).message}`));
        }, idleMs);
        this.idleTimer.unref();
      }
    }
  }

  private markBroken(e: Error): void {
    if (!this.broken) {
      this.broken = e;
      this.log('error', `Store writes stopped: ${e.message}. Unacknowledged changes will be discarded on reopen.`);
    }
  }

  /** Closes cleanly: waits for the journal, checkpoints, releases the lock. */
  async close(options: { checkpoint?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    try {
      // A checkpoint already running exported the database before the latest writes: wait for
      // it, then take one that covers everything (else the next open replays them).
      await this.checkpointing;
      if (this.journal && options.checkpoint !== false && !this.failure) await this.checkpoint();
      if (this.journal && !this.failure) await this.journal.close();
      else this.journal?.abandon();
    } finally {
      this.closed = true;
      this.db.close();
      this.lock?.release();
    }
  }

  private apply(m: Mutation): void {
    for (const applier of this.appliers) applier(m);
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.options.log?.(level, message);
  }
}

/** Loads the snapshot and reads the journal; truncates only a torn tail, refuses any other damage. */
async function loadFolder(
  folder: string,
  options: StoreOptions,
): Promise<{ db: Database; journal: Journal; fresh: boolean; records: JournalRecord[] }> {
  const snapshotPath = path.join(folder, SNAPSHOT_FILE);
  const fresh = !fs.existsSync(snapshotPath);
  const sql = await loadSqlJs();
  let db: Database;
  try {
    db = Database.create(sql, fresh ? undefined : fs.readFileSync(snapshotPath));
    migrate(db);
  } catch (e) {
    throw new StoreCorruptError(`${snapshotPath} cannot be opened: ${(e as Error).message}`);
  }
  const appliedSeq = Number(db.scalar<string>(`SELECT value FROM meta WHERE key = 'applied_seq'`) ?? 0);
  const files = listJournalFiles(folder);
  const records: JournalRecord[] = [];
  let tornFix: { file: string; validBytes: number } | undefined;
  for (let i = 0; i < files.length; i++) {
    const { file } = files[i];
    const outcome = parseJournal(fs.readFileSync(file));
    if (outcome.kind === 'corrupt') {
      db.close();
      throw new StoreCorruptError(`${file} is damaged at byte ${outcome.offset} (${outcome.reason}); the store was left untouched.`);
    }
    if (outcome.kind === 'tornTail') {
      if (i !== files.length - 1) {
        db.close();
        throw new StoreCorruptError(`${file} ends in a damaged record but is not the newest journal (${outcome.reason}); the store was left untouched.`);
      }
      options.log?.('warn', `Dropped an unacknowledged, torn record at the end of ${path.basename(file)} (${outcome.reason}).`);
      tornFix = { file, validBytes: outcome.validBytes };
    }
    for (const r of outcome.records) if (r.seq > appliedSeq) records.push(r);
  }
  let expected = appliedSeq + 1;
  for (const r of records) {
    if (r.seq !== expected) {
      db.close();
      throw new StoreCorruptError(`The journal skips from record ${expected - 1} to ${r.seq}; the store was left untouched.`);
    }
    expected++;
  }
  const lastSeq = expected - 1;
  if (tornFix) {
    if (tornFix.validBytes < 4) fs.rmSync(tornFix.file);
    else fs.truncateSync(tornFix.file, tornFix.validBytes);
  }
  // Segments opened after the last durable record hold nothing (a later segment is written only
  // after the earlier ones are synced, and the contiguity check above refuses any gap): drop them.
  for (const segment of listJournalFiles(folder)) {
    if (segment.startSeq > lastSeq + 1) fs.rmSync(segment.file);
  }
  const remaining = listJournalFiles(folder);
  const last = remaining[remaining.length - 1];
  const journal =
    last && last.startSeq <= lastSeq + 1
      ? Journal.resume(folder, last.file, last.startSeq, lastSeq, options.journalFs)
      : Journal.create(folder, lastSeq, options.journalFs);
  return { db, journal, fresh, records };
}
