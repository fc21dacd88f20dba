import * as assert from 'node:assert/strict';
import path from 'node:path';
import type { EntryPoint } from '../../../src/core/projects/mlproject';
import { MLprojectError } from '../../../src/core/projects/mlprojectError';
import { absolutePathValues, parameterValueProblem, parseParameterAssignments, recordedParameters } from '../../../src/core/projects/projectParameters';
import { DEMO_PROJECT } from './projectFixtures';

const MAIN: EntryPoint = {
  name: 'main',
  command: 'python train.py {alpha} {epochs} {data}',
  parameters: {
    alpha: { name: 'alpha', type: 'float', default: '0.1' },
    epochs: { name: 'epochs', type: 'int' },
    data: { name: 'data', type: 'path', default: 'data/churn.csv' },
    note: { name: 'note', type: 'string' },
  },
};

describe('project parameters', () => {
  it('reads -P name=value arguments, splitting at the first =', () => {
    assert.deepEqual(parseParameterAssignments(['alpha=0.5', 'query=a=b', 'empty=']), { alpha: '0.5', query: 'a=b', empty: '' });
    assert.throws(() => parseParameterAssignments(['alpha']), new MLprojectError("Parameters are given as -P name=value; got 'alpha'."));
    assert.throws(() => parseParameterAssignments(['=1']), /got '=1'/);
    assert.throws(() => parseParameterAssignments(['a=1', 'a=2']), new MLprojectError("Parameter 'a' is given more than once."));
  });

  it('checks one value as the input box types it, with the message a run would refuse it with', () => {
    const check = (name: string, value: string): string | undefined => parameterValueProblem(MAIN, MAIN.parameters[name], value, DEMO_PROJECT);
    assert.equal(check('alpha', '0.25'), undefined);
    assert.equal(check('alpha', '1e-3'), undefined);
    assert.equal(check('alpha', 'fast'), "Parameter 'alpha' of entry point 'main' must be a float (a number such as 0.5), got 'fast'.");
    assert.equal(check('epochs', '10'), undefined);
    assert.equal(check('epochs', ''), "Parameter 'epochs' of entry point 'main' must be an int (a whole number such as 10), got ''.");
    assert.equal(check('data', 'data/churn.csv'), undefined, 'relative to the project folder');
    assert.match(check('data', 'data/none.csv') ?? '', /^Parameter 'data' of entry point 'main' must be an existing path, but '.*data\/none\.csv' was not found\.$/);
    assert.equal(check('note', 'anything at all $HOME'), undefined);
  });

  it('makes given path values absolute against the folder they were typed in, leaving the rest alone', () => {
    const given = { data: 'mine.csv', alpha: '0.5', note: 'a/b' };
    assert.deepEqual(absolutePathValues(MAIN, given, '/home/me/work'), { data: path.resolve('/home/me/work/mine.csv'), alpha: '0.5', note: 'a/b' });
    assert.deepEqual(absolutePathValues(MAIN, { data: '/abs/x.csv' }, '/home/me'), { data: '/abs/x.csv' });
    assert.deepEqual(absolutePathValues(MAIN, { data: 'file:///abs/x.csv' }, '/home/me'), { data: 'file:///abs/x.csv' });
  });

  it('reads back the parameters a project run recorded, ignoring anything malformed', () => {
    assert.deepEqual(recordedParameters('{"alpha":"0.5","data":"/d.csv"}'), { alpha: '0.5', data: '/d.csv' });
    assert.equal(recordedParameters(undefined), undefined);
    assert.equal(recordedParameters('not json'), undefined);
    assert.equal(recordedParameters('["alpha"]'), undefined);
    assert.equal(recordedParameters('{"alpha":0.5}'), undefined, 'values are strings');
  });
});
