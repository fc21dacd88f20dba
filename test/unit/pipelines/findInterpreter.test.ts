import * as assert from 'node:assert/strict';
import { findInterpreter } from '../../../src/core/pipelines/findInterpreter';

describe('findInterpreter', () => {
  it('prefers the setting, then the Python extension, then python3', async () => {
    const extension = async (): Promise<string | undefined> => '/venv/bin/python';
    assert.deepEqual(await findInterpreter({ setting: ' /opt/py/bin/python3 ', pythonExtension: extension }), { path: '/opt/py/bin/python3', source: 'setting' });
    assert.deepEqual(await findInterpreter({ setting: '', pythonExtension: extension }), { path: '/venv/bin/python', source: 'pythonExtension' });
    assert.deepEqual(await findInterpreter({ setting: '' }), { path: 'python3', source: 'default' });
    assert.deepEqual(await findInterpreter({ platform: 'win32' }), { path: 'python', source: 'default' });
  });

  it('falls back to python3 when the Python extension fails or has no selection', async () => {
    assert.equal((await findInterpreter({ pythonExtension: async () => { throw new Error('not active'); } })).path, 'python3');
    assert.equal((await findInterpreter({ pythonExtension: async () => undefined })).path, 'python3');
  });
});
