import fs from 'node:fs';
import path from 'node:path';
import { JOURNAL_MAGIC, encodeRecord } from './journalFormat';

/**
 * File-system calls the journal makes (tests substitute failing ones). Journal files are opened
 * with O_DSYNC, so a completed `write` is already on stable storage, as write + fdatasync would
 * make it — in one system call and one thread-pool round trip. `sync` runs after each write for
 * implementations that need an explicit flush.
 */
export interface JournalFs {
  write(fd: number, data: Buffer): Promise<void>;
  sync(fd: number): Promise<void>;
}

function writeAll(fd: number, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (offset: number): void => {
      fs.write(fd, data, offset, data.length - offset, null, (err, written) => {
        if (err) reject(err);
        else if (offset + written < data.length) step(offset + written);
        else resolve();
      });
    };
    step(0);
  });
}

/** The default: asynchronous O_DSYNC writes (the thread pool waits for the disk, the engine does not). */
export const nodeJournalFs: JournalFs = {
  write: writeAll,
  sync: () => Promise.resolve(),
};

/** Blocking O_DSYNC writes on the calling thread (a dedicated engine thread may prefer them). */
export const blockingJournalFs: JournalFs = {
  write: (fd, data) => {
    let offset = 0;
    while (offset < data.length) offset += fs.writeSync(fd, data, offset, data.length - offset);
    return Promise.resolve();
  },
  sync: () => Promise.resolve(),
};

const JOURNAL_FLAGS = fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_DSYNC;

const JOURNAL_PREFIX = 'journal-';

export function journalFileName(startSeq: number): string {
  return `${JOURNAL_PREFIX}${String(startSeq).padStart(16, '0')}`;
}

/** Journal files in a store folder, oldest first, with the first sequence number each may hold. */
export function listJournalFiles(folder: string): { file: string; startSeq: number }[] {
  return fs
    .readdirSync(folder)
    .filter((name) => name.startsWith(JOURNAL_PREFIX) && /^\d+$/.test(name.slice(JOURNAL_PREFIX.length)))
    .map((name) => ({ file: path.join(folder, name), startSeq: Number(name.slice(JOURNAL_PREFIX.length)) }))
    .sort((a, b) => a.startSeq - b.startSeq);
}

interface Segment {
  fd: number;
  file: string;
  startSeq: number;
  /** Frames appended but not yet handed to write(). */
  pending: Buffer[];
  pendingSeq: number;
  bytes: number;
}

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

/**
 * The append-only, CRC-framed journal with group commit: `append` queues a record and returns its
 * sequence number at once; `synced(seq)` resolves when an fdatasync covers it. While one
 * write+fdatasync runs, later records gather and share the next one.
 */
export class Journal {
  private segments: Segment[] = [];
  private lastSeq: number;
  private durableSeq: number;
  private waiters: Waiter[] = [];
  private flushing = false;
  private failure: Error | undefined;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => {};

  private constructor(private readonly folder: string, lastSeq: number, private readonly io: JournalFs) {
    this.lastSeq = lastSeq;
    this.durableSeq = lastSeq;
  }

  /** Opens a fresh segment after `lastSeq` (existing segments are left for the caller to replay and delete). */
  static create(folder: string, lastSeq: number, io: JournalFs = nodeJournalFs): Journal {
    const journal = new Journal(folder, lastSeq, io);
    journal.openSegment(lastSeq + 1);
    return journal;
  }

  /** Continues appending to an existing, already replayed segment (torn tail already cut off). */
  static resume(folder: string, file: string, startSeq: number, lastSeq: number, io: JournalFs = nodeJournalFs): Journal {
    const journal = new Journal(folder, lastSeq, io);
    const fd = fs.openSync(file, JOURNAL_FLAGS);
    journal.segments.push({ fd, file, startSeq, pending: [], pendingSeq: lastSeq, bytes: fs.fstatSync(fd).size });
    return journal;
  }

  get failed(): Error | undefined {
    return this.failure;
  }

  get lastSequence(): number {
    return this.lastSeq;
  }

  /** Bytes in the current segment (the checkpoint policy reads it). */
  get currentBytes(): number {
    return this.segments[this.segments.length - 1].bytes;
  }

  /** Queues a record; returns its sequence number. Throws once the journal has failed. */
  append(payload: unknown): number {
    if (this.failure) throw this.failure;
    const seq = ++this.lastSeq;
    const frame = encodeRecord(seq, payload);
    const segment = this.segments[this.segments.length - 1];
    segment.pending.push(frame);
    segment.pendingSeq = seq;
    segment.bytes += frame.length;
    this.scheduleFlush();
    return seq;
  }

  /** Resolves when every record up to `seq` (default: all appended so far) is on disk. */
  synced(seq = this.lastSeq): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (seq <= this.durableSeq) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
  }

  /**
   * Starts a new segment: records appended from now on go to it. Returns the files that hold only
   * records up to the current sequence, to delete once a snapshot covering them is durable.
   */
  rotate(): string[] {
    const current = this.segments[this.segments.length - 1];
    if (current.startSeq === this.lastSeq + 1) {
      // Nothing was appended since the last rotation: keep the empty segment.
      return this.segments.slice(0, -1).map((s) => s.file);
    }
    const old = this.segments.map((s) => s.file);
    this.openSegment(this.lastSeq + 1);
    return old;
  }

  /** Waits until queued writes are done, then closes and unlinks rotated-out segments in `files`. */
  async retire(files: string[]): Promise<void> {
    await this.drained();
    for (const file of files) {
      const index = this.segments.findIndex((s) => s.file === file);
      if (index >= 0 && index < this.segments.length - 1) {
        const [segment] = this.segments.splice(index, 1);
        fs.closeSync(segment.fd);
      }
      fs.rmSync(file, { force: true });
    }
  }

  /** Resolves when nothing is queued or being written. */
  async drained(): Promise<void> {
    while (this.flushing || this.segments.some((s) => s.pending.length > 0)) await this.idle;
  }

  async close(): Promise<void> {
    try {
      await this.drained();
    } finally {
      for (const segment of this.segments) fs.closeSync(segment.fd);
      this.segments = [];
    }
  }

  /** Closes file descriptors at once without waiting (after a failure). */
  abandon(): void {
    for (const segment of this.segments) {
      try {
        fs.closeSync(segment.fd);
      } catch {
        /* already closed */
      }
    }
    this.segments = [];
  }

  private openSegment(startSeq: number): void {
    const file = path.join(this.folder, journalFileName(startSeq));
    const fd = fs.openSync(file, JOURNAL_FLAGS | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
    fs.writeSync(fd, JOURNAL_MAGIC);
    syncFolder(this.folder);
    this.segments.push({ fd, file, startSeq, pending: [], pendingSeq: startSeq - 1, bytes: JOURNAL_MAGIC.length });
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = true;
    this.idle = new Promise((resolve) => (this.markIdle = resolve));
    setImmediate(() => void this.flushLoop());
  }

  private async flushLoop(): Promise<void> {
    try {
      for (;;) {
        const batch = this.segments.filter((s) => s.pending.length > 0);
        if (batch.length === 0) break;
        let covered = this.durableSeq;
        for (const segment of batch) {
          const frames = segment.pending;
          segment.pending = [];
          covered = Math.max(covered, segment.pendingSeq);
          await this.io.write(segment.fd, frames.length === 1 ? frames[0] : Buffer.concat(frames));
          await this.io.sync(segment.fd);
        }
        this.durableSeq = covered;
        const ready = this.waiters.filter((w) => w.seq <= covered);
        this.waiters = this.waiters.filter((w) => w.seq > covered);
        for (const w of ready) w.resolve();
      }
    } catch (e) {
      this.failure = e instanceof Error ? e : new Error(String(e));
      const waiting = this.waiters;
      this.waiters = [];
      for (const w of waiting) w.reject(this.failure);
    } finally {
      this.flushing = false;
      this.markIdle();
    }
  }
}

/** fsync a directory so a create/rename/unlink in it is durable. */
export function syncFolder(folder: string): void {
  const fd = fs.openSync(folder, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
