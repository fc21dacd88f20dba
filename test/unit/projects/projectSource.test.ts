import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { installInterpreterShims, resolveExecutable, withInterpreter } from '../../../src/core/projects/interpreterShims';
import { MLprojectError } from '../../../src/core/projects/mlprojectError';
import { loadProject } from '../../../src/core/projects/projectSource';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { DEMO_PROJECT, writeProject } from './projectFixtures';

describe('loadProject', () => {
  const roots: string[] = [];
  after(() => roots.forEach(removeFolder));

  it('reads the demo project: two entry points with typed parameters', () => {
    const loaded = loadProject(DEMO_PROJECT);
    assert.equal(loaded.folder, DEMO_PROJECT);
    assert.equal(loaded.sourceName, DEMO_PROJECT);
    assert.equal(loaded.file, path.join(DEMO_PROJECT, 'MLproject'));
    assert.equal(loaded.project.name, 'churn-project');
    assert.deepEqual(Object.keys(loaded.project.entryPoints), ['main', 'evaluate']);
    assert.deepEqual(loaded.project.entryPoints.main.parameters, {
      alpha: { name: 'alpha', type: 'float', default: '0.1' },
      epochs: { name: 'epochs', type: 'int', default: '30' },
      data: { name: 'data', type: 'path', default: 'data/churn.csv' },
    });
    assert.deepEqual(loaded.project.entryPoints.evaluate.parameters, {
      model_uri: { name: 'model_uri', type: 'uri' },
      threshold: { name: 'threshold', type: 'float', default: '0.5' },
    });
    assert.equal(loaded.environmentRequest, undefined);
    assert.deepEqual(loaded.project.warnings, []);
    assert.deepEqual(loadProject(path.join(DEMO_PROJECT, 'MLproject')).folder, DEMO_PROJECT, 'the MLproject file itself names its folder');
  });

  it('finds the MLproject file whatever its case, and names the environment the project asks for', () => {
    const folder = writeProject({ mlproject: 'conda_env: conda.yaml\nentry_points:\n  main:\n    command: "python a.py"\n' });
    roots.push(folder);
    const loaded = loadProject(folder);
    assert.equal(loaded.file, path.join(folder, 'mlproject'));
    assert.equal(loaded.environmentRequest, 'a conda environment (conda_env: conda.yaml)');
    const docker = writeProject({ MLproject: 'docker_env:\n  image: python:3.11\nentry_points: {}\n' });
    roots.push(docker);
    assert.equal(loadProject(docker).environmentRequest, 'a Docker container (docker_env image: python:3.11)');
    const implied = writeProject({ MLproject: 'entry_points: {}\n', 'python_env.yaml': 'python: "3.11"\n' });
    roots.push(implied);
    assert.equal(loadProject(implied).environmentRequest, 'the environment in python_env.yaml');
  });

  it('runs scripts of a folder without an MLproject file, and a lone script as main', () => {
    const folder = writeProject({ 'train.py': 'print(1)\n', 'notes.txt': '' });
    roots.push(folder);
    const loaded = loadProject(folder);
    assert.equal(loaded.file, undefined);
    assert.deepEqual(loaded.project.entryPoints, {});
    const script = loadProject(path.join(folder, 'train.py'));
    assert.equal(script.folder, folder);
    assert.equal(script.sourceName, path.join(folder, 'train.py'));
    assert.equal(script.project.entryPoints.main.command, 'python train.py');
    assert.throws(() => loadProject(path.join(folder, 'notes.txt')), /supported script file extensions are \.py and \.sh/);
  });

  it('refuses a missing project and an invalid MLproject, naming the file', () => {
    assert.throws(() => loadProject('/no/such/project'), new MLprojectError("There is no project at '/no/such/project': give a folder with an MLproject file, or a .py or .sh script."));
    const folder = writeProject({ MLproject: 'entry_points:\n  main:\n    parameters: {alpha: float}\n' });
    roots.push(folder);
    assert.throws(
      () => loadProject(folder),
      new MLprojectError(`The MLproject file ${path.join(folder, 'MLproject')} is invalid: Entry point 'main' has no 'command' (a string such as "python train.py {alpha}").`),
    );
  });
});

describe('interpreter shims', () => {
  it('finds programs on a PATH and makes python and python3 exec the chosen interpreter', () => {
    const folder = tempFolder('trackside-shims-');
    try {
      const tools = path.join(folder, 'tools');
      fs.mkdirSync(tools);
      fs.writeFileSync(path.join(tools, 'py'), '#!/bin/sh\necho "$@"\n', { mode: 0o755 });
      fs.writeFileSync(path.join(tools, 'not-executable'), '', { mode: 0o644 });
      assert.equal(resolveExecutable('py', `/nowhere${path.delimiter}${tools}`), path.join(tools, 'py'));
      assert.equal(resolveExecutable('not-executable', tools), undefined);
      assert.equal(resolveExecutable('missing', tools), undefined);
      const bin = installInterpreterShims(folder, 'py', `${tools}${path.delimiter}/usr/bin`);
      assert.equal(bin, path.join(folder, 'bin'));
      const shim = fs.readFileSync(path.join(folder, 'bin', 'python'), 'utf8');
      assert.equal(shim, `#!/bin/sh\nPATH='${tools}${path.delimiter}/usr/bin'; export PATH\nexec '${path.join(tools, 'py')}' "$@"\n`);
      assert.equal(fs.readFileSync(path.join(folder, 'bin', 'python3'), 'utf8'), shim);
      assert.equal(installInterpreterShims(folder, 'missing', tools), undefined);
      assert.deepEqual(withInterpreter(['python', 'train.py'], '/venv/bin/python'), ['/venv/bin/python', 'train.py']);
      assert.deepEqual(withInterpreter(['python3', '-m', 'x'], '/venv/bin/python'), ['/venv/bin/python', '-m', 'x']);
      assert.deepEqual(withInterpreter(['bash', 'run.sh'], '/venv/bin/python'), ['bash', 'run.sh']);
    } finally {
      removeFolder(folder);
    }
  });
});
