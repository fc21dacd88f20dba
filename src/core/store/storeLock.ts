import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { syncFolder } from './journal';

export const LOCK_FILE = 'store.lock';

/** What `store.lock` says about the engine that owns a store folder. */
export interface LockInfo {
  pid: number;
  hostname: string;
  /** The owner's HTTP port once its server listens (a client connects there). */
  port?: number;
  /** File holding the bearer token clients use. */
  tokenFile?: string;
  startedAt: number;
  /** Who owns it: a VS Code window, the CLI server, a test. */
  owner: string;
}

export type LockOutcome = { acquired: true; lock: StoreLock } | { acquired: false; holder: LockInfo };

function isAlive(info: LockInfo): boolean {
  if (info.hostname !== os.hostname()) return true; // another machine (shared folder): assume alive
  try {
    process.kill(info.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockInfo | undefined {
  try {
    const info = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
    return typeof info.pid === 'number' ? info : undefined;
  } catch {
    return undefined;
  }
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  const fd = fs.openSync(tmp, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/**
 * The single-writer rule: one engine per store folder holds `store.lock`. A live holder means
 * "connect to its server instead"; a dead one (its pid is gone) is taken over.
 */
export class StoreLock {
  private released = false;

  private constructor(readonly folder: string, private info: LockInfo) {}

  static acquire(folder: string, owner: string): LockOutcome {
    const file = path.join(folder, LOCK_FILE);
    const info: LockInfo = { pid: process.pid, hostname: os.hostname(), startedAt: Date.now(), owner };
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const fd = fs.openSync(file, 'wx', 0o600);
        try {
          fs.writeSync(fd, JSON.stringify(info));
          fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
        syncFolder(folder);
        return { acquired: true, lock: new StoreLock(folder, info) };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = readLock(file);
      if (holder && holder.pid === process.pid && holder.hostname === info.hostname) {
        // This process already owns it (a second store object in one process): treat as live.
        return { acquired: false, holder };
      }
      if (holder && isAlive(holder)) return { acquired: false, holder };
      // Stale (or unreadable, e.g. torn while its writer died): move it aside atomically; only one
      // contender's rename of this inode succeeds, the others retry and find the winner's lock.
      const aside = `${file}.stale-${process.pid}`;
      try {
        fs.renameSync(file, aside);
      } catch {
        continue;
      }
      const moved = readLock(aside);
      if (moved && isAlive(moved) && (!holder || moved.pid !== holder.pid)) {
        // We raced with a fresh owner and moved its lock: put it back and defer to it.
        fs.renameSync(aside, file);
        return { acquired: false, holder: moved };
      }
      fs.rmSync(aside, { force: true });
    }
    const holder = readLock(file);
    if (holder) return { acquired: false, holder };
    throw new Error(`Could not take ${file}: it keeps changing. Is another Trackside starting on this store?`);
  }

  get current(): LockInfo {
    return this.info;
  }

  /** Publishes the server's port and token file so other windows and the CLI can connect. */
  update(changes: Partial<Pick<LockInfo, 'port' | 'tokenFile'>>): void {
    if (this.released) return;
    this.info = { ...this.info, ...changes };
    writeAtomically(path.join(this.folder, LOCK_FILE), JSON.stringify(this.info));
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    const file = path.join(this.folder, LOCK_FILE);
    const holder = readLock(file);
    if (holder && holder.pid === this.info.pid && holder.startedAt === this.info.startedAt) fs.rmSync(file, { force: true });
  }
}

/** Reads the lock of a store folder without taking it; undefined when free or stale. */
export function liveLockHolder(folder: string): LockInfo | undefined {
  const holder = readLock(path.join(folder, LOCK_FILE));
  return holder && isAlive(holder) ? holder : undefined;
}
