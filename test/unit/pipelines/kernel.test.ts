import * as assert from 'node:assert/strict';
import type { PythonKernel } from '../../../src/core/pipelines/kernel';
import { merged, run, SCRIPT, start } from './pipelineFixtures';

describe('PythonKernel', function () {
  this.timeout(30_000);
  let kernel: PythonKernel;

  beforeEach(async () => {
    kernel = await start();
  });

  afterEach(async () => {
    await kernel.stop({ graceMs: 500 });
  });

  it('reports the Python version, pid and importable packages when ready', () => {
    assert.match(kernel.info.python, /^3\.\d+\.\d+/);
    assert.equal(kernel.info.pid, kernel.pid);
    assert.deepEqual(Object.keys(kernel.info.packages).sort(), ['mlflow', 'pandas', 'polars']);
    assert.equal(kernel.info.packages.pandas, false); // not installed on this machine
    assert.equal(kernel.info.autolog, 'unavailable');
  });

  it('runs cells in one __main__ namespace with __file__ set to the script', async () => {
    await run(kernel, 'x = 41\ndef twice(v):\n    return 2 * v');
    const { result, stdout } = await run(kernel, 'x += 1\nprint(x, twice(x), __name__, __file__)', 10, 1);
    assert.equal(result.status, 'ok');
    assert.equal(stdout, `42 84 __main__ ${SCRIPT}\n`);
    const pickled = await run(kernel, 'import pickle\nclass Point:\n    pass\nprint(type(pickle.loads(pickle.dumps(Point()))).__name__)');
    assert.equal(pickled.stdout, 'Point\n');
  });

  it('streams stdout and stderr in the order they were written, before the result', async () => {
    const code = [
      'import sys, time, os, subprocess',
      'print("one")',
      'print("two", file=sys.stderr)',
      'print("three")',
      'sys.stdout.flush()',
      'time.sleep(0.6)',
      'subprocess.run(["echo", "from a subprocess"])',
      'os.write(1, b"raw fd write\\n")',
    ].join('\n');
    const { result, chunks } = await run(kernel, code);
    assert.equal(result.status, 'ok');
    assert.deepEqual(merged(chunks), [
      ['stdout', 'one\n'],
      ['stderr', 'two\n'],
      ['stdout', 'three\nfrom a subprocess\nraw fd write\n'],
    ]);
    // "one" arrived while the cell was still sleeping, not at its end.
    assert.ok(chunks[0].at < 450, `first output after ${chunks[0].at} ms`);
    assert.ok(result.durationMs >= 600, `duration ${result.durationMs}`);
  });

  it('maps an exception to the line of the script: a cell at line 20 failing on its 3rd line is line 22', async () => {
    const { result } = await run(kernel, 'a = 1\nb = 0\nc = a / b\nprint("never")', 20);
    assert.equal(result.status, 'error');
    assert.equal(result.error?.ename, 'ZeroDivisionError');
    assert.equal(result.error?.evalue, 'division by zero');
    assert.equal(result.error?.line, 22);
    const traceback = result.error?.traceback.join('\n') ?? '';
    assert.match(traceback, new RegExp(`File "${SCRIPT}", line 22, in <module>`));
    assert.match(traceback, /c = a \/ b/); // the source line, though the file does not exist on disk
    assert.doesNotMatch(traceback, /trackside_kernel/);
  });

  it('reports the innermost line of the script when the error is raised in a function or a library', async () => {
    await run(kernel, 'import json\n\ndef load(text):\n    return json.loads(text)', 5);
    const { result } = await run(kernel, 'value = load("{")', 30, 1);
    assert.equal(result.error?.ename, 'JSONDecodeError');
    assert.equal(result.error?.line, 8); // `return json.loads(text)`: the innermost frame in the script
    assert.match(result.error?.traceback.join('\n') ?? '', /line 30, in <module>[\s\S]*line 8, in load[\s\S]*json/);
  });

  it('maps a syntax error to its line of the script', async () => {
    const { result } = await run(kernel, 'x = 1\nif x\n    pass', 40);
    assert.equal(result.status, 'error');
    assert.equal(result.error?.ename, 'SyntaxError');
    assert.equal(result.error?.line, 41);
  });

  for (const [label, code] of [
    ['a busy loop', 'while True:\n    pass'],
    ['time.sleep(1000)', 'import time\ntime.sleep(1000)'],
  ]) {
    it(`interrupts ${label} and keeps the namespace for the next cell`, async () => {
      await run(kernel, 'kept = "still here"');
      const pending = run(kernel, `print("started", flush=True)\n${code}`, 50, 1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const interruptedAt = performance.now();
      kernel.interrupt();
      const { result, stdout } = await pending;
      assert.ok(performance.now() - interruptedAt < 2000);
      assert.equal(result.status, 'interrupted');
      assert.equal(result.error?.ename, 'KeyboardInterrupt');
      assert.equal(result.error?.line !== null && result.error!.line >= 51, true);
      assert.equal(stdout, 'started\n');
      const after = await run(kernel, 'print(kept)', 60, 2);
      assert.equal(after.stdout, 'still here\n');
    });
  }

  it('stops a cell that never ends: the cell reports interrupted and the process exits', async () => {
    const pending = run(kernel, 'while True:\n    pass');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const exit = await kernel.stop({ graceMs: 2000 });
    assert.equal((await pending).result.status, 'interrupted');
    assert.equal(exit.code, 0);
    assert.equal(kernel.alive, false);
    await assert.rejects(kernel.execute({ cell: 1, code: 'pass', filename: SCRIPT, firstLine: 1 }), /kernel exited with code 0/);
  });

  it('stops a cell that swallows KeyboardInterrupt with SIGTERM after the grace period', async () => {
    const pending = run(kernel, 'import time\nwhile True:\n    try:\n        time.sleep(1000)\n    except KeyboardInterrupt:\n        pass');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stoppedAt = performance.now();
    const exit = await kernel.stop({ graceMs: 300 });
    assert.ok(performance.now() - stoppedAt < 2500);
    assert.equal(exit.signal, 'SIGTERM');
    const { result } = await pending;
    assert.equal(result.status, 'interrupted');
    assert.match(result.error?.evalue ?? '', /killed by SIGTERM/);
  });

  it('fails the running cell with the exit code and stderr tail when the process exits', async () => {
    const { result } = await run(kernel, 'import sys, os, time\nprint("about to exit", file=sys.stderr)\ntime.sleep(0.2)\nos._exit(3)');
    assert.equal(result.status, 'error');
    assert.equal(result.error?.ename, 'KernelDied');
    assert.match(result.error?.evalue ?? '', /exited with code 3/);
    assert.ok(result.error?.traceback.includes('about to exit'));
    assert.equal(kernel.alive, false);
  });

  it('fails the running cell with the signal and the fatal error when the process crashes', async () => {
    const { result } = await run(kernel, 'import ctypes\nctypes.string_at(0)');
    assert.equal(result.status, 'error');
    assert.match(result.error?.evalue ?? '', /killed by SIGSEGV/);
    assert.match(result.error?.traceback.join('\n') ?? '', /Segmentation fault/); // faulthandler, on the real stderr
  });

  it('delivers 10 MB of output whole, in a bounded number of messages', async () => {
    const started = performance.now();
    const { result, chunks, stdout } = await run(kernel, 'for i in range(100000):\n    print("%099d" % i)');
    const elapsed = performance.now() - started;
    assert.equal(result.status, 'ok');
    assert.equal(stdout.length, 10_000_000);
    assert.equal(stdout.slice(0, 100), `${'0'.repeat(99)}\n`);
    assert.equal(stdout.slice(-100), `${String(99999).padStart(99, '0')}\n`);
    assert.ok(chunks.length <= 200, `${chunks.length} messages`);
    assert.ok(result.durationMs > 0);
    console.log(`      10 MB of prints: ${chunks.length} stream messages, cell ${result.durationMs.toFixed(0)} ms, round trip ${elapsed.toFixed(0)} ms`);
    const single = await run(kernel, 'import sys\nsys.stdout.write("y" * 10_000_000)', 1, 1);
    assert.equal(single.stdout.length, 10_000_000);
    assert.ok(single.chunks.length <= 60, `${single.chunks.length} messages for one write`);
  });

  it('reports DataFrames a cell created or changed, with rows and columns', async () => {
    await run(kernel, [
      'from trackside_kernel.dataframes import register_dataframe_type',
      'class Table:',
      '    def __init__(self, rows, columns=2):',
      '        self.rows, self.width = rows, columns',
      '    def __len__(self):',
      '        return self.rows',
      '    @property',
      '    def shape(self):',
      '        return (self.rows, self.width)',
      'register_dataframe_type(Table)',
    ].join('\n'));
    const created = await run(kernel, 'train = Table(120, 4)\ntest = Table(30, 4)\n_hidden = Table(5)\nnot_a_table = [1, 2, 3]', 1, 1);
    assert.deepEqual(created.result.dataframes, [
      { name: 'train', rows: 120, columns: 4 },
      { name: 'test', rows: 30, columns: 4 },
    ]);
    const untouched = await run(kernel, 'print(len(train))', 1, 2);
    assert.deepEqual(untouched.result.dataframes, []);
    const changed = await run(kernel, 'train.rows = 100\ntest = Table(30, 4)', 1, 3);
    assert.deepEqual(changed.result.dataframes, [
      { name: 'train', rows: 100, columns: 4 }, // same object, new shape
      { name: 'test', rows: 30, columns: 4 }, // same shape, new object
    ]);
  });

  it('recognises pandas and polars DataFrames by their class, without registering them', async () => {
    const { result } = await run(kernel, [
      'class DataFrame:',
      '    __module__ = "pandas.core.frame"',
      '    def __init__(self, n):',
      '        self.n = n',
      '    def __len__(self):',
      '        return self.n',
      '    shape = property(lambda self: (self.n, 3))',
      'class PolarsFrame:',
      '    __module__ = "polars.dataframe.frame"',
      '    def __init__(self, n):',
      '        self.n, self.columns = n, ["a", "b"]',
      '    def __len__(self):',
      '        return self.n',
      'PolarsFrame.__name__ = "DataFrame"',
      'class Subclass(DataFrame):',
      '    __module__ = "__main__"',
      'class OtherDataFrame:',
      '    __module__ = "mylib"',
      '    def __len__(self):',
      '        return 9',
      'pdf = DataFrame(7)',
      'plf = PolarsFrame(11)',
      'sub = Subclass(2)',
      'other = OtherDataFrame()',
    ].join('\n'));
    assert.deepEqual(result.dataframes, [
      { name: 'pdf', rows: 7, columns: 3 },
      { name: 'plf', rows: 11, columns: 2 },
      { name: 'sub', rows: 2, columns: 3 },
    ]);
  });

  it('gives stdin as empty and keeps the protocol apart from what cells print', async () => {
    const { result, stdout } = await run(kernel, 'import sys\nprint(repr(sys.stdin.read()))\nprint(\'{"event": "result", "cell": 0, "status": "ok"}\')');
    assert.equal(result.status, 'ok');
    assert.equal(stdout, '\'\'\n{"event": "result", "cell": 0, "status": "ok"}\n');
  });

  it('forwards the output of forked children, which never answer for the kernel', async () => {
    const code = [
      'import multiprocessing, os',
      'def square(x):',
      '    print("child", x)',
      '    return x * x',
      'with multiprocessing.get_context("fork").Pool(2) as pool:',
      '    print(sorted(pool.map(square, [2, 3])))',
      'child = os.fork()',
      'if child == 0:',
      '    print("in the forked child")',
      'else:',
      '    os.waitpid(child, 0)',
    ].join('\n');
    const { result, stdout } = await run(kernel, code);
    assert.equal(result.status, 'ok');
    assert.deepEqual(stdout.split('\n').filter((line) => line !== '').sort(), ['[4, 9]', 'child 2', 'child 3', 'in the forked child']);
    assert.equal((await run(kernel, 'print("still one kernel")', 1, 1)).stdout, 'still one kernel\n');
  });

  it('hands output written between cells to onOutput, with no cell', async () => {
    await kernel.stop();
    const between: Array<{ cell: number | null; text: string }> = [];
    kernel = await start({ onOutput: (event) => between.push({ cell: event.cell, text: event.text }) });
    await run(kernel, 'import threading, time\nthreading.Thread(target=lambda: (time.sleep(0.2), print("late")), daemon=True).start()');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(between, [{ cell: null, text: 'late\n' }]);
  });

  it('measures the dispatch overhead of an empty cell', async () => {
    const cells = 200;
    const started = performance.now();
    for (let i = 0; i < cells; i++) {
      const result = await kernel.execute({ cell: i, code: 'pass', filename: SCRIPT, firstLine: 1 });
      assert.equal(result.status, 'ok');
    }
    const perCell = (performance.now() - started) / cells;
    console.log(`      dispatch overhead: ${perCell.toFixed(2)} ms per empty cell over ${cells} cells (target <= 20 ms)`);
  });
});
