import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { EntryPoint } from '../../../src/core/projects/mlproject';
import { MLprojectError } from '../../../src/core/projects/mlprojectError';
import { commandArgv, renderCommand, shellQuote } from '../../../src/core/projects/projectCommand';

function entryPoint(command: string, ...names: string[]): EntryPoint {
  const parameters = Object.fromEntries(names.map((name) => [name, { name, type: 'string' as const }]));
  return { name: 'main', command, parameters };
}

describe('shellQuote', () => {
  it("follows Python's shlex.quote", () => {
    const cases: Array<[string, string]> = [
      ['plain', 'plain'],
      ['0.5', '0.5'],
      ['a=b,c:d@e%f+g/h.i-j_k', 'a=b,c:d@e%f+g/h.i-j_k'],
      ['', "''"],
      ['two words', "'two words'"],
      ["it's", `'it'"'"'s'`],
      ['$HOME', "'$HOME'"],
      ['`whoami`', "'`whoami`'"],
      ['a;rm -rf /', "'a;rm -rf /'"],
      ['line1\nline2', "'line1\nline2'"],
      ['"double"', `'"double"'`],
      ['café', "'café'"],
      ['*.csv', "'*.csv'"],
    ];
    for (const [value, quoted] of cases) assert.equal(shellQuote(value), quoted, value);
  });
});

describe('renderCommand', () => {
  it('substitutes each {param} with its value, quoted only when needed', () => {
    const entry = entryPoint('python train.py --alpha {alpha} --name {name}', 'alpha', 'name');
    assert.equal(renderCommand(entry, { alpha: '0.5', name: 'simple' }), 'python train.py --alpha 0.5 --name simple');
    assert.equal(
      renderCommand(entry, { alpha: '0.5', name: `it's $HOME and \`id\` "q"` }),
      `python train.py --alpha 0.5 --name 'it'"'"'s $HOME and \`id\` "q"'`,
    );
    assert.equal(renderCommand(entry, { alpha: '', name: 'a\nb' }), "python train.py --alpha '' --name 'a\nb'");
  });

  it('substitutes the same field twice and keeps {{ }} as literal braces', () => {
    const entry = entryPoint("echo {x} {x} {{x}} && awk '{{print $1}}' {file}", 'x', 'file');
    assert.equal(renderCommand(entry, { x: 'a b', file: 'f.txt' }), "echo 'a b' 'a b' {x} && awk '{print $1}' f.txt");
  });

  it('gives a shell exactly the values, however awkward', function () {
    if (process.platform === 'win32') this.skip();
    const values = ["it's", 'two  spaces', '$HOME', '`id`', '"q"', 'a\nb', '', 'café ✓', '*', '\\back'];
    const names = values.map((_, i) => `p${i}`);
    const entry = entryPoint(`printf '%s\\0' ${names.map((name) => `{${name}}`).join(' ')}`, ...names);
    const command = renderCommand(entry, Object.fromEntries(names.map((name, i) => [name, values[i]])));
    const result = spawnSync('/bin/sh', ['-c', command], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(result.stdout.split('\0').slice(0, -1), values);
  });

  it('appends extra parameters as --name value, as MLflow does', () => {
    const entry = entryPoint('python train.py {alpha}', 'alpha');
    assert.equal(renderCommand(entry, { alpha: '1' }, { epochs: '3', note: 'two words' }), "python train.py 1 --epochs 3 --note 'two words'");
    assert.throws(() => renderCommand(entry, { alpha: '1' }, { 'x; rm': '1' }), /'x; rm' cannot be passed to entry point 'main'/);
  });

  it('refuses fields that are not parameters and malformed braces', () => {
    const entry = entryPoint('python train.py {alpha} {beta}', 'alpha');
    assert.throws(() => renderCommand(entry, { alpha: '1' }), (error: unknown) =>
      error instanceof MLprojectError && error.message === "The command of entry point 'main' uses {beta}, which is not one of its parameters (alpha).");
    assert.throws(() => renderCommand(entryPoint('echo {alpha:.2f}', 'alpha'), { alpha: '1' }), /unsupported field '\{alpha:\.2f\}'/);
    assert.throws(() => renderCommand(entryPoint('echo {', 'alpha'), { alpha: '1' }), /unsupported field/);
    assert.throws(() => renderCommand(entryPoint('echo }', 'alpha'), { alpha: '1' }), /single '\}'/);
  });
});

describe('commandArgv', () => {
  it('splits the command into arguments, each value landing whole in its word', () => {
    const entry = entryPoint('python train.py --alpha {alpha} --name={name} "{title}"', 'alpha', 'name', 'title');
    assert.deepEqual(commandArgv(entry, { alpha: '0.5', name: "it's $HOME", title: 'a  b' }), [
      'python', 'train.py', '--alpha', '0.5', "--name=it's $HOME", 'a  b',
    ]);
    assert.deepEqual(commandArgv(entryPoint("echo 'Main entry point'"), {}), ['echo', 'Main entry point']);
    assert.deepEqual(commandArgv(entryPoint('echo {x}', 'x'), { x: '' }), ['echo', '']);
    assert.deepEqual(commandArgv(entryPoint('a\\ b "c\\"d" \'e\\f\''), {}), ['a b', 'c"d', 'e\\f']);
  });

  it('appends extras as two arguments', () => {
    assert.deepEqual(commandArgv(entryPoint('python x.py'), {}, { epochs: '3 4' }), ['python', 'x.py', '--epochs', '3 4']);
  });

  it('returns undefined when the command needs a shell', () => {
    for (const command of ['cat {p} | wc -l', 'a && b', 'echo $HOME', 'echo "$HOME"', 'echo `id`', 'ls *.csv', 'cd ~', 'a > out', 'FOO=1 python x.py', 'a\nb', 'echo hi # note', 'x; y', '(sub)']) {
      assert.equal(commandArgv(entryPoint(command, 'p'), { p: 'v' }), undefined, command);
    }
  });

  it('refuses a command with an unclosed quote', () => {
    assert.throws(() => commandArgv(entryPoint("echo 'open"), {}), /unclosed single quote/);
  });
});
