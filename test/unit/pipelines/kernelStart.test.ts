import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { KernelOptions } from '../../../src/core/pipelines/kernel';
import { KernelStartError } from '../../../src/core/pipelines/kernelStartError';
import { bundledPythonPath, fakeInterpreter, run, start, temporaryFolder } from './pipelineFixtures';

describe('PythonKernel start failures', function () {
  this.timeout(20_000);
  const folder = temporaryFolder('kernel');
  after(() => fs.rmSync(folder, { recursive: true, force: true }));

  async function startError(options: Partial<KernelOptions>): Promise<KernelStartError> {
    try {
      const kernel = await start(options);
      await kernel.stop();
    } catch (error) {
      assert.ok(error instanceof KernelStartError, String(error));
      return error;
    }
    assert.fail('the kernel started');
  }

  it('names a missing interpreter and the setting to change', async () => {
    const error = await startError({ interpreter: '/nonexistent/python3' });
    assert.equal(error.reason, 'notFound');
    assert.equal(
      error.message,
      "Could not start the Python kernel with '/nonexistent/python3': no such file or command. " +
        'Change the trackside.python.path setting to a Python 3.8 or newer interpreter.',
    );
  });

  it('says when the interpreter is too old', async () => {
    const old = fakeInterpreter(folder, 'python2', 'echo "TRACKSIDE_KERNEL_UNSUPPORTED_PYTHON 2.7.18" >&2; exit 3');
    const error = await startError({ interpreter: old });
    assert.equal(error.reason, 'unsupportedVersion');
    assert.match(error.message, new RegExp(`'${old}': it is Python 2\\.7\\.18; Trackside needs Python 3\\.8 or newer\\. Change the trackside\\.python\\.path setting`));
  });

  it('reports what a broken interpreter said', async () => {
    const broken = fakeInterpreter(folder, 'broken', 'echo "error while loading shared libraries: libpython3.11.so" >&2; exit 127');
    const error = await startError({ interpreter: broken });
    assert.equal(error.reason, 'bootstrapFailed');
    assert.match(error.message, /exited with code 127 before the kernel was ready: error while loading shared libraries/);
    assert.match(error.message, /trackside\.python\.path/);
  });

  it('reports a kernel that cannot be imported', async () => {
    const error = await startError({ bundledPythonPath: path.join(folder, 'missing') });
    assert.equal(error.reason, 'bootstrapFailed');
    assert.match(error.message, /could not load Trackside's kernel from '.*missing' \(.*No module named 'trackside_kernel'\)/);
  });

  it('times out on an interpreter that never answers', async () => {
    const silent = fakeInterpreter(folder, 'silent', 'sleep 30');
    const error = await startError({ interpreter: silent, readyTimeoutMs: 500 });
    assert.equal(error.reason, 'timeout');
    assert.match(error.message, /did not start the kernel within 1 s/);
  });

  it('passes the environment, with the bundled folder first on PYTHONPATH', async () => {
    const kernel = await start({ env: { MLFLOW_RUN_ID: 'abc123', PYTHONPATH: '/somewhere/else', HOME: undefined } });
    try {
      const { stdout } = await run(kernel, 'import os\nprint(os.environ["MLFLOW_RUN_ID"], os.environ["PYTHONPATH"], "HOME" in os.environ)');
      assert.equal(stdout, `abc123 ${bundledPythonPath()}${path.delimiter}/somewhere/else False\n`);
    } finally {
      await kernel.stop();
    }
  });
});

describe('PythonKernel and mlflow autolog', function () {
  this.timeout(20_000);
  const folder = temporaryFolder('autolog');
  after(() => fs.rmSync(folder, { recursive: true, force: true }));

  /** A stand-in `mlflow` package (the real one is not installed here) whose autolog() runs `body`. */
  function fakeMlflow(name: string, body: string): string {
    const packageFolder = path.join(folder, name, 'mlflow');
    fs.mkdirSync(packageFolder, { recursive: true });
    fs.writeFileSync(path.join(packageFolder, '__init__.py'), `import os\ncalls = []\ndef autolog():\n    ${body}\n`);
    return path.join(folder, name);
  }

  it('calls mlflow.autolog() once at start, with MLFLOW_RUN_ID in the environment', async () => {
    const kernel = await start({ env: { PYTHONPATH: fakeMlflow('working', 'calls.append(os.environ.get("MLFLOW_RUN_ID"))'), MLFLOW_RUN_ID: 'r42' } });
    try {
      assert.equal(kernel.info.packages.mlflow, true);
      assert.equal(kernel.info.autolog, 'enabled');
      const { stdout } = await run(kernel, 'import mlflow\nprint(mlflow.calls)');
      assert.equal(stdout, "['r42']\n");
    } finally {
      await kernel.stop();
    }
  });

  it('keeps the kernel working when autolog fails, and says why', async () => {
    const kernel = await start({ env: { PYTHONPATH: fakeMlflow('broken', 'raise RuntimeError("no flavors")') } });
    try {
      assert.equal(kernel.info.autolog, 'failed: RuntimeError: no flavors');
      assert.equal((await run(kernel, 'print(1 + 1)')).stdout, '2\n');
    } finally {
      await kernel.stop();
    }
  });

  it('does not call autolog when turned off', async () => {
    const kernel = await start({ autolog: false, env: { PYTHONPATH: fakeMlflow('off', 'calls.append(1)') } });
    try {
      assert.equal(kernel.info.autolog, 'disabled');
      assert.equal((await run(kernel, 'import mlflow\nprint(mlflow.calls)')).stdout, '[]\n');
    } finally {
      await kernel.stop();
    }
  });
});
