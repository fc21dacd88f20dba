import assert from 'node:assert/strict';
import { differences } from '../../../src/core/client/eventPoller';
import { SseParser, changeEventOf } from '../../../src/core/client/eventStream';

describe('SseParser', () => {
  it('parses frames split anywhere, with CRLF, comments, ids and retry', () => {
    const parser = new SseParser();
    const text = 'retry: 2000\r\n: connected\r\n\r\nid: 1\r\nevent: runs\r\ndata: {"type":"runs",\r\ndata: "runIds":["a"],"experimentIds":["0"]}\r\n\r\n';
    const frames = [];
    for (let i = 0; i < text.length; i += 7) frames.push(...parser.push(text.slice(i, i + 7)));
    assert.equal(parser.retryMs, 2000);
    assert.equal(parser.lastEventId, '1');
    assert.equal(frames.length, 1, 'a comment-only block dispatches nothing');
    assert.equal(frames[0].event, 'runs');
    assert.deepEqual(changeEventOf(frames[0]), { type: 'runs', runIds: ['a'], experimentIds: ['0'] });
  });

  it('ignores unknown event types and broken JSON', () => {
    const parser = new SseParser();
    const frames = parser.push('event: x\ndata: {"type":"future"}\n\ndata: not json\n\n');
    assert.equal(frames.length, 2);
    assert.equal(changeEventOf(frames[0]), undefined);
    assert.equal(changeEventOf(frames[1]), undefined);
  });
});

describe('polling differences', () => {
  it('reports new and changed experiments, runs, metric keys and models', () => {
    const run = (signature: string, metrics: [string, string][]) => ({ experimentId: '1', signature, metrics: new Map(metrics) });
    const before = {
      experiments: new Map([['1', 'a'], ['2', 'b']]),
      runs: new Map([['r1', run('s1', [['loss', '1|1|0.5']])]]),
      models: new Map([['m', 1]]),
    };
    const after = {
      experiments: new Map([['1', 'a'], ['2', 'b2']]),
      runs: new Map([['r1', run('s1', [['loss', '2|2|0.4'], ['acc', '1|1|0.9']])], ['r2', run('s', [])]]),
      models: new Map([['m', 2], ['n', 1]]),
    };
    assert.deepEqual(differences(before, after), [
      { type: 'experiments', experimentIds: ['2', '1'] },
      { type: 'runs', runIds: ['r2'], experimentIds: ['1'] },
      { type: 'metrics', runs: { r1: ['loss', 'acc'] } },
      { type: 'models', names: ['m', 'n'] },
    ]);
    assert.deepEqual(differences(after, after), []);
  });
});
