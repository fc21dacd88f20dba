import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { invokeModel } from '../../../src/core/models/scoringRequest';
import { CLI, trackside } from '../cli/cliFixture';
import { ServerFixture } from '../client/clientFixture';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { expectedSpend, logDemoModel, writeDemoCsv } from './modelsFixture';

describe('trackside models predict | serve | compare', function () {
  this.timeout(120_000);
  let fixture: ServerFixture;
  let work: string;
  let env: Record<string, string>;

  before(async () => {
    fixture = await ServerFixture.start();
    work = tempFolder('trackside-models-cli-');
    env = { MLFLOW_TRACKING_URI: fixture.server.url, MLFLOW_TRACKING_TOKEN: fixture.token, TMPDIR: work };
    await logDemoModel(fixture.server.url, fixture.token, 'spend', { alias: 'champion' });
    await logDemoModel(fixture.server.url, fixture.token, 'spend', { alias: 'challenger', scale: 2 });
  });

  after(async () => {
    await fixture.stop();
    removeFolder(work);
  });

  it('predict: scores a file, prints where it went and the run that logged it', async () => {
    const input = path.join(work, 'in.csv');
    writeDemoCsv(input, 500);
    const output = path.join(work, 'out.csv');
    const text = await trackside(['models', 'predict', '-m', 'models:/spend/1', '-i', input, '-o', output], { env });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Wrote 500 rows to .*out\.csv in [\d.]+ s/m);
    assert.match(text.stdout, /^Run [0-9a-f]{32} \(experiment \d+\) logged the job\.$/m);
    const json = await trackside(['models', 'predict', '-m', 'models:/spend@champion', '-i', input, '-o', output, '--json'], { env });
    assert.equal(json.code, 0, json.stderr);
    const answer = JSON.parse(json.stdout) as { input_rows: number; run_id: string; model_version: string };
    assert.equal(answer.input_rows, 500);
    assert.equal(answer.model_version, '1');
    const run = await fixture.client.runs.get(answer.run_id);
    assert.equal(run.info.status, 'FINISHED');
    const second = fs.readFileSync(output, 'utf8').split('\n')[2].split(',').map(Number);
    assert.equal(second[5], expectedSpend({ tenure: second[1], plan: second[2], calls: second[3] }));
  });

  it('predict: a schema mismatch exits 2 naming the columns; a missing option is a usage error', async () => {
    const input = path.join(work, 'partial.csv');
    writeDemoCsv(input, 5, { columns: ['tenure'] });
    const result = await trackside(['models', 'predict', '-m', 'models:/spend/1', '-i', input, '-o', path.join(work, 'x.csv'), '--no-track'], { env });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /SCHEMA_MISMATCH: The input is missing columns that the model's signature requires: 'plan', 'calls'/);
    const usage = await trackside(['models', 'predict', '-i', input, '-o', 'x.csv'], { env });
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Missing option --model-uri/);
  });

  it('compare: prints both versions\u2019 metrics and the better one', async () => {
    const input = path.join(work, 'labelled.csv');
    writeDemoCsv(input, 300);
    const result = await trackside(['models', 'compare', '--model-a', 'models:/spend@champion', '--model-b', 'models:/spend@challenger', '-i', input, '--label', 'spend'], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^regression, 300 labelled rows:/);
    assert.match(result.stdout, /rmse\s+champion 0\.0000\s+challenger \d+\.\d+/);
    assert.match(result.stdout, /Better on rmse: champion \(spend v1\)\. Run [0-9a-f]{32}\./);
  });

  it('serve: answers on the port it prints until Ctrl-C', async () => {
    const child = spawn(process.execPath, [CLI, 'models', 'serve', '-m', 'models:/spend@champion', '-p', '0'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const match = /^Serving spend v1 \(trackside\.pickle\) at (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
        if (match) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const answer = await invokeModel(url, { dataframe_records: [{ tenure: 1, plan: 1, calls: 0 }] });
    assert.deepEqual(answer.body, { predictions: [expectedSpend({ tenure: 1, plan: 1, calls: 0 })] });
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (exitCode) => resolve(exitCode));
      child.kill('SIGINT');
    });
    assert.equal(code, 0, stderr);
    assert.match(stderr, /"POST \/invocations" 200/);
  });
});
