import http from 'node:http';

export interface InvocationAnswer {
  status: number;
  /** The parsed JSON answer (`{predictions}` or `{error_code, message}`), or the text when not JSON. */
  body: unknown;
  /** Round trip, milliseconds. */
  ms: number;
}

/**
 * Sends one request to a scoring server (`POST <url>/invocations`): a JSON body (an object is
 * serialised), or CSV text with `contentType: 'text/csv'`. Plain node:http, one connection per call.
 */
export function invokeModel(url: string, body: unknown, options: { contentType?: string; timeoutMs?: number; agent?: http.Agent } = {}): Promise<InvocationAnswer> {
  const contentType = options.contentType ?? 'application/json';
  const data = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  return request(url, '/invocations', 'POST', { 'Content-Type': contentType, 'Content-Length': String(data.length) }, data, options);
}

/** `GET <url><path>` (e.g. `/ping`, `/version`) on a scoring server. */
export function getFromModelServer(url: string, path: string, options: { timeoutMs?: number } = {}): Promise<InvocationAnswer> {
  return request(url, path, 'GET', {}, undefined, options);
}

function request(
  url: string,
  path: string,
  method: string,
  headers: Record<string, string>,
  data: Buffer | undefined,
  options: { timeoutMs?: number; agent?: http.Agent },
): Promise<InvocationAnswer> {
  const target = new URL(path, url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: target.hostname, port: target.port, path: target.pathname, method, headers, agent: options.agent, timeout: options.timeoutMs ?? 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          if ((res.headers['content-type'] ?? '').includes('application/json')) {
            try {
              body = JSON.parse(text);
            } catch {
              body = text;
            }
          }
          resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`The model server at ${url} did not answer within ${(options.timeoutMs ?? 30_000) / 1000} s.`)));
    req.on('error', reject);
    req.end(data);
  });
}
