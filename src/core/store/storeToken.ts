import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const TOKEN_FILE = 'token';

/**
 * The bearer token of a store folder: generated once (256 random bits), kept in `<store>/token`
 * with 0600 rights, and read by every window and CLI that connects to the store's server.
 */
export function readOrCreateToken(folder: string): { token: string; file: string } {
  const file = path.join(folder, TOKEN_FILE);
  try {
    const token = fs.readFileSync(file, 'utf8').trim();
    if (token) {
      if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
      return { token, file };
    }
  } catch {
    /* not there yet */
  }
  fs.mkdirSync(folder, { recursive: true });
  const token = crypto.randomBytes(32).toString('base64url');
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, token, { mode: 0o600 });
  fs.renameSync(tmp, file);
  return { token, file };
}

/** Reads the token a lock holder published (the file named in its lock). */
export function readTokenFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
