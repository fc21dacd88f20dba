import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

describe('Trackside in VS Code', () => {
  it('runs in VS Code 1.100 with a Node 20 extension host', () => {
    assert.match(vscode.version, /^1\.100\./);
    assert.match(process.versions.node, /^20\./);
  });

  it('is installed as trackside.trackside and activates', async () => {
    const extension = vscode.extensions.getExtension('trackside.trackside');
    assert.ok(extension, 'extension trackside.trackside is not loaded');
    await extension.activate();
    assert.equal(extension.isActive, true);
    assert.equal(extension.packageJSON.displayName, 'Trackside');
  });
});
