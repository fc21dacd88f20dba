import assert from 'node:assert/strict';
import { buildPreview, PREVIEW_TABLE_ROWS, PREVIEW_TEXT_LIMIT, previewKind } from '../../../src/extension/panels/artifactPreview';
import { signatureColumns, summarizeMlModel } from '../../../src/extension/panels/mlmodelReader';
import { modelVersionInputOf, runIdsOf, runsTableInputOf } from '../../../src/extension/panels/panelArguments';
import { ReloadScheduler } from '../../../src/extension/panels/panelTypes';
import { RequestTracker } from '../../../src/shared/protocol/requestTracker';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const runNode = (id: string) => ({ kind: 'run', experimentId: '1', row: { run_id: id, run_name: id } });

describe('webview requests (RequestTracker)', () => {
  it('pairs answers with requests by id, in any order, and rejects with the host’s error', async () => {
    const sent: { requestId: number; type?: string }[] = [];
    const tracker = new RequestTracker((m) => sent.push(m), 0);
    const first = tracker.request<number>({ type: 'a' });
    const second = tracker.request<number>({ type: 'b' });
    assert.deepEqual(sent, [{ type: 'a', requestId: 1 }, { type: 'b', requestId: 2 }]);
    assert.equal(tracker.settle({ type: 'response', requestId: 2, error: 'No such run' }), true);
    assert.equal(tracker.settle({ type: 'response', requestId: 1, result: 41 }), true);
    assert.equal(await first, 41);
    await assert.rejects(second, /No such run/);
    assert.equal(tracker.settle({ type: 'response', requestId: 1, result: 0 }), false, 'answered once');
    assert.equal(tracker.outstanding, 0);
  });

  it('gives up on a host that does not answer, and on close', async () => {
    const tracker = new RequestTracker(() => undefined, 30);
    await assert.rejects(tracker.request({ type: 'slow' }), /did not answer within/);
    const pending = tracker.request({ type: 'x' });
    tracker.cancelAll();
    await assert.rejects(pending, /panel was closed/);
  });
});

describe('panel command arguments', () => {
  it('takes run ids from a node with the tree’s multi-selection, ids, or arrays', () => {
    assert.deepEqual(runIdsOf(runNode('a'), [runNode('b'), runNode('a'), runNode('c')]), ['b', 'a', 'c']);
    assert.deepEqual(runIdsOf(runNode('a'), [runNode('b')]), ['a'], 'clicked outside the selection: that run only');
    assert.deepEqual(runIdsOf(['x', 'y', 'x']), ['x', 'y']);
    assert.deepEqual(runIdsOf('z'), ['z']);
    assert.deepEqual(runIdsOf(undefined), []);
  });

  it('takes experiments from a node, an id, ids or a search, and model versions from a node or {name, version}', () => {
    assert.deepEqual(runsTableInputOf({ kind: 'experiment', experiment: { experiment_id: '7' } }), { experimentIds: ['7'] });
    assert.deepEqual(runsTableInputOf('3'), { experimentIds: ['3'] });
    assert.deepEqual(runsTableInputOf({ experimentIds: ['1', '2'], filter: 'metrics.x > 1' }), { experimentIds: ['1', '2'], filter: 'metrics.x > 1' });
    assert.equal(runsTableInputOf(undefined), undefined);
    assert.deepEqual(modelVersionInputOf({ kind: 'modelVersion', model: 'm', version: { version: '4' } }), { name: 'm', version: '4' });
    assert.deepEqual(modelVersionInputOf({ name: 'm', version: 2 }), { name: 'm', version: '2' });
    assert.equal(modelVersionInputOf({ name: 'm' }), undefined);
  });
});

describe('artifact previews', () => {
  it('chooses the preview from the file name', () => {
    assert.deepEqual(['a/MLmodel', 'x.csv', 'p.PNG', 'r.html', 'c.yaml', 'w.bin', 'README'].map(previewKind), ['mlmodel', 'table', 'image', 'html', 'text', 'binary', 'text']);
  });

  it('pretty-prints JSON and cuts long text', () => {
    const json = buildPreview('m.json', bytes('{"a":[1,2]}'));
    assert.deepEqual(json, { kind: 'text', language: 'json', text: '{\n  "a": [\n    1,\n    2\n  ]\n}', truncated: false, size: 11 });
    const long = buildPreview('log.txt', bytes('x'.repeat(PREVIEW_TEXT_LIMIT + 10)));
    assert.equal(long.kind === 'text' && long.truncated && long.text.length, PREVIEW_TEXT_LIMIT);
  });

  it('shows CSV as a table of the first rows (quoted fields too)', () => {
    const csv = ['name,note', ...Array.from({ length: PREVIEW_TABLE_ROWS + 5 }, (_, i) => `r${i},"a, ""b"""`)].join('\n');
    const preview = buildPreview('t.csv', bytes(csv));
    assert.equal(preview.kind, 'table');
    if (preview.kind !== 'table') return;
    assert.deepEqual(preview.rows[0], ['r0', 'a, "b"']);
    assert.equal(preview.shownRows, PREVIEW_TABLE_ROWS);
    assert.equal(preview.truncated, true);
  });

  it('stamps the style nonce on an HTML report’s style blocks, and recognises images and binaries', () => {
    const html = buildPreview('r.html', bytes('<style>h1{}</style><STYLE media="x">p{}</STYLE>'), { styleNonce: 'N1' });
    assert.equal(html.kind === 'html' && html.html, '<style nonce="N1">h1{}</style><style nonce="N1" media="x">p{}</STYLE>');
    const image = buildPreview('a.svg', bytes('<svg/>'));
    assert.equal(image.kind === 'image' && image.dataUri, 'data:image/svg+xml;base64,PHN2Zy8+');
    assert.equal(buildPreview('w.txt', new Uint8Array([1, 0, 2])).kind, 'binary');
  });
});

describe('MLmodel summaries', () => {
  it('lists flavors with their settings and the signature’s columns', () => {
    const summary = summarizeMlModel(
      "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    env:\n      conda: conda.yaml\nsignature:\n  inputs: '[{\"type\": \"double\", \"name\": \"a\", \"required\": false}]'\n  outputs: '[{\"type\": \"tensor\", \"tensor-spec\": {\"dtype\": \"float32\", \"shape\": [-1, 3]}}]'\n  params: '[{\"name\": \"k\", \"type\": \"long\", \"default\": 5, \"shape\": null}]'\nutc_time_created: '2024-05-01'\n",
      'runs:/r/model/MLmodel',
    );
    assert.deepEqual(summary.flavors, [{ name: 'python_function', details: { loader_module: 'mlflow.sklearn', env: '{"conda":"conda.yaml"}' } }]);
    assert.deepEqual(summary.signature, {
      inputs: [{ name: 'a', type: 'double', optional: true }],
      outputs: [{ name: '#0', type: 'tensor float32 [-1,3]' }],
      params: [{ name: 'k', type: 'long = 5' }],
    });
    assert.equal(summary.utcTimeCreated, '2024-05-01');
    assert.deepEqual(signatureColumns(null), []);
  });
});

describe('ReloadScheduler', () => {
  it('runs a burst of requests once, and once more when asked during a run', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const scheduler = new ReloadScheduler(async () => {
      runs++;
      await new Promise<void>((resolve) => (release = resolve));
    }, 10);
    scheduler.schedule();
    scheduler.schedule();
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(runs, 1);
    scheduler.schedule();
    scheduler.schedule();
    release();
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(runs, 2, 'the requests made while running are served by one more run');
    release();
    scheduler.dispose();
  });
});
