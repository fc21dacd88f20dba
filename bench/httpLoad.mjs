// A small HTTP load generator: N keep-alive connections, each sending requests back to back.
// Runs in its own process (the server under test runs in another).
import http from 'node:http';

/**
 * @param {{ url: string, connections: number, seconds: number, token?: string, body: (i: number) => string, path: string }} o
 * @returns {Promise<{ requests: number, seconds: number, latencies: number[], errors: number, statuses: Record<string, number> }>}
 */
export async function load(o) {
  const target = new URL(o.path, o.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections });
  const latencies = [];
  const statuses = {};
  let errors = 0;
  let counter = 0;
  const deadline = performance.now() + o.seconds * 1000;
  const send = (payload) =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const req = http.request(
        target,
        {
          method: 'POST',
          agent,
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(payload),
            ...(o.token ? { Authorization: `Bearer ${o.token}` } : {}),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
            if (res.statusCode !== 200) errors++;
            latencies.push(performance.now() - t0);
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(payload);
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: o.connections }, async () => {
      while (performance.now() < deadline) await send(o.body(counter++));
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return { requests: latencies.length, seconds, latencies, errors, statuses };
}

/**
 * The same load through wrk (Debian's `wrk`, a C load generator) when it is installed: a Node client
 * on a 2-core machine is slower than the server it measures. Resolves undefined without wrk.
 * `bodyLua` is a Lua expression building the body from `counter`.
 */
export async function loadWithWrk(o) {
  const { spawn, spawnSync } = await import('node:child_process');
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  if (spawnSync('wrk', ['--version']).error) return undefined;
  const script = path.join(os.tmpdir(), `trackside-wrk-${process.pid}.lua`);
  const headers = `{["Content-Type"]="application/json"${o.token ? `, ["Authorization"]="Bearer ${o.token}"` : ''}}`;
  fs.writeFileSync(
    script,
    `counter = 0\nrequest = function()\n  counter = counter + 1\n  return wrk.format("POST", "${o.path}", ${headers}, ${o.bodyLua})\nend\n`,
  );
  // Asynchronous: the server under test may live in this very process (the reference does).
  const out = await new Promise((resolve) => {
    const child = spawn('wrk', ['-t1', `-c${o.connections}`, `-d${o.seconds}s`, '--latency', '-s', script, o.url]);
    let stdout = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.on('close', () => resolve({ stdout }));
  });
  fs.rmSync(script, { force: true });
  const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(out.stdout)?.[1]);
  const ms = (label) => {
    const m = new RegExp(`${label}%\\s+([\\d.]+)(us|ms|s)`).exec(out.stdout);
    if (!m) return NaN;
    return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out.stdout)?.[1] ?? 0);
  return { rate, p50: ms('50'), p99: ms('99'), errors: non2xx, raw: out.stdout };
}
