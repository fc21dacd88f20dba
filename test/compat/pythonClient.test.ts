import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The project root: the nearest folder above this file whose package.json is Trackside's. */
function projectRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'trackside') {
      return dir;
    }
  }
  return process.cwd();
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

describe('bundled Python client (python3 against the real trackside server)', function () {
  this.timeout(10 * 60 * 1000);

  it('passes its unittest suite (test/compat/python)', async () => {
    const root = projectRoot();
    assert.ok(fs.existsSync(path.join(root, 'dist', 'cli.js')), 'dist/cli.js is missing: run `npm run build` first');
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) {
      // A developer's terminal may carry MLflow settings (MLFLOW_RUN_ID, ...): the suite sets its own.
      if (!name.startsWith('MLFLOW_')) env[name] = value;
    }
    const pythonPath = path.join(root, 'src', 'python');
    env.PYTHONPATH = process.env.PYTHONPATH ? `${pythonPath}${path.delimiter}${process.env.PYTHONPATH}` : pythonPath;
    env.TRACKSIDE_NODE = process.execPath;
    const { code, output } = await run('python3', ['-m', 'unittest', 'discover', '-s', 'test/compat/python', '-v'], root, env);
    const ran = /^Ran (\d+) tests? in ([\d.]+)s$/m.exec(output);
    const notes = output.split('\n').filter((line) => /^\s{4}\S.*(ms|us\/call)/.test(line) || /skipped '/.test(line));
    if (code !== 0 || !ran) process.stdout.write(output);
    else process.stdout.write(`      python3: ${ran[1]} tests in ${ran[2]} s\n${notes.map((line) => `      ${line.trim()}`).join('\n')}\n`);
    assert.equal(code, 0, `python3 -m unittest failed with exit code ${code} (output above)`);
    assert.ok(ran && Number(ran[1]) >= 60, `expected the whole suite to run, got: ${ran?.[0] ?? 'no "Ran N tests" line'}`);
    assert.match(output, /^OK/m);
  });
});
