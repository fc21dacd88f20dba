import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PythonKernel, type CellResult, type KernelOptions } from '../../../src/core/pipelines/kernel';
import type { StreamName } from '../../../src/core/pipelines/kernelProtocol';

/** `src/python` of this checkout (found from the compiled test's folder, or the working folder). */
export function bundledPythonPath(): string {
  let folder = __dirname;
  for (;;) {
    const candidate = path.join(folder, 'src', 'python');
    if (fs.existsSync(path.join(candidate, 'trackside_kernel', 'bootstrap.py'))) return candidate;
    const parent = path.dirname(folder);
    if (parent === folder) return path.resolve('src', 'python');
    folder = parent;
  }
}

export function temporaryFolder(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `trackside-${prefix}-`));
}

/** A shell script standing in for an interpreter. */
export function fakeInterpreter(folder: string, name: string, body: string): string {
  const file = path.join(folder, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

export const SCRIPT = '/tmp/trackside-kernel-test/pipeline.py';

export interface Run {
  result: CellResult;
  chunks: Array<{ name: StreamName; text: string; at: number }>;
  stdout: string;
  stderr: string;
}

export async function run(kernel: PythonKernel, code: string, firstLine = 1, cell = 0): Promise<Run> {
  const chunks: Run['chunks'] = [];
  const started = performance.now();
  const result = await kernel.execute(
    { cell, code, filename: SCRIPT, firstLine },
    { onStream: (name, text) => chunks.push({ name, text, at: performance.now() - started }) },
  );
  const joined = (name: StreamName): string => chunks.filter((chunk) => chunk.name === name).map((chunk) => chunk.text).join('');
  return { result, chunks, stdout: joined('stdout'), stderr: joined('stderr') };
}

/** Adjacent chunks of the same stream merged, as a reader sees the output. */
export function merged(chunks: Run['chunks']): Array<[StreamName, string]> {
  const out: Array<[StreamName, string]> = [];
  for (const { name, text } of chunks) {
    const last = out[out.length - 1];
    if (last && last[0] === name) last[1] += text;
    else out.push([name, text]);
  }
  return out;
}

export function start(extra: Partial<KernelOptions> = {}): Promise<PythonKernel> {
  return PythonKernel.start({ interpreter: 'python3', bundledPythonPath: bundledPythonPath(), ...extra });
}
