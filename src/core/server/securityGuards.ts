import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './httpErrors';

/** Ports browsers' fetch (and Node's) refuse to connect to: never serve on one. */
export const FETCH_BLOCKED_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111,
  113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548,
  554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566,
  6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** The Host header must name the loopback address and our port (DNS rebinding defence). */
export function checkHost(req: IncomingMessage, port: number): void {
  const host = (req.headers.host ?? '').toLowerCase();
  const allowed = [`127.0.0.1:${port}`, `localhost:${port}`];
  if (!allowed.includes(host)) {
    throw new HttpError(403, 'PERMISSION_DENIED', `Host '${req.headers.host ?? ''}' is not allowed: Trackside answers only 127.0.0.1:${port}.`);
  }
}

/** Browsers always send Origin on cross-site requests: no web page may talk to the store. */
export function checkOrigin(req: IncomingMessage): void {
  if (req.headers.origin !== undefined) {
    throw new HttpError(403, 'PERMISSION_DENIED', 'Requests from web pages (with an Origin header) are not allowed.');
  }
}

/**
 * No `.` or `..` segment (also written `%2e%2e` or with backslashes) in the raw request path: the URL
 * parser would resolve it away, so a `..` in an artifact path would silently name another route or
 * run instead of being refused.
 */
export function checkPathSegments(rawUrl: string): void {
  const rawPath = rawUrl.split(/[?#]/)[0];
  const dotted = rawPath.split(/[/\\]/).some((segment) => {
    const decoded = segment.replace(/%2e/gi, '.');
    return decoded === '.' || decoded === '..';
  });
  if (dotted) {
    throw new HttpError(400, 'INVALID_PARAMETER_VALUE', `Invalid request path '${rawPath.slice(0, 200)}': '.' and '..' segments are not allowed.`);
  }
}

/** `Authorization: Bearer <token>`, compared in constant time. */
export function checkBearer(req: IncomingMessage, token: string): void {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  const given = Buffer.from(match?.[1] ?? '');
  const expected = Buffer.from(token);
  if (!match || given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
    throw new HttpError(
      401,
      'UNAUTHENTICATED',
      match
        ? 'The bearer token is not valid for this Trackside store.'
        : 'Authentication required: send Authorization: Bearer <token> (set MLFLOW_TRACKING_TOKEN for MLflow clients).',
    );
  }
}

/** A new random token (URL-safe, 256 bits). */
export function generateToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}
