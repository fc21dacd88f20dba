import assert from 'node:assert/strict';
import { axisPosition, axisTicks, buildAxis } from '../../../src/shared/compare/parallelAxes';
import { compareValue, diffRow, diffRuns } from '../../../src/shared/compare/runDiff';
import type { CompareRun } from '../../../src/shared/protocol/compareProtocol';

function run(id: string, params: Record<string, string>, metrics: Record<string, number>, tags: Record<string, string> = {}): CompareRun {
  return {
    runId: id,
    name: id,
    experimentId: '1',
    status: 'FINISHED',
    startTime: 0,
    endTime: 1000,
    userId: 'ana',
    params,
    metrics: Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, { last: v, step: 0 }])),
    tags,
  };
}

describe('compare: diff table', () => {
  const runs = [
    run('a', { lr: '0.1', model: 'cnn' }, { loss: 0.3, acc: 0.9 }, { team: 'x', 'mlflow.user': 'ana' }),
    run('b', { lr: '0.01', model: 'cnn' }, { loss: 0.2, acc: 0.9 }, { team: 'x', 'mlflow.user': 'ben' }),
    run('c', { model: 'cnn' }, { loss: 0.5, acc: 0.9 }, { team: 'x', 'mlflow.user': 'ana' }),
  ];

  it('marks rows that differ (a missing value differs) and the lowest and highest numbers', () => {
    const rows = diffRuns(runs);
    const find = (section: string, key: string) => rows.find((r) => r.section === section && r.key === key)!;
    assert.equal(find('param', 'model').differs, false);
    assert.equal(find('param', 'lr').differs, true, 'c has no lr');
    assert.deepEqual(find('param', 'lr').values, ['0.1', '0.01', undefined]);
    assert.deepEqual([find('metric', 'loss').lowest, find('metric', 'loss').highest], [[1], [2]]);
    assert.equal(find('metric', 'acc').differs, false);
    assert.equal(find('tag', 'team').differs, false);
    assert.equal(find('systemTag', 'mlflow.user').differs, true);
  });

  it('treats numeric text as numbers and NaN as equal to NaN', () => {
    assert.deepEqual(diffRow('param', 'n', ['10', '9', '10']).lowest, [1]);
    assert.equal(diffRow('metric', 'x', [NaN, NaN]).differs, false);
    assert.equal(diffRow('param', 'x', ['a', '1']).numeric, false);
  });

  it('reads compared values by axis id', () => {
    assert.equal(compareValue(runs[0], 'param:lr'), '0.1');
    assert.equal(compareValue(runs[1], 'metric:loss'), 0.2);
    assert.equal(compareValue(runs[0], 'attribute:duration'), 1000);
    assert.equal(compareValue(runs[2], 'param:lr'), undefined);
  });
});

describe('compare: parallel-coordinate axes', () => {
  it('scales numbers between their min and max, and puts an all-equal axis in the middle', () => {
    const axis = buildAxis('param:lr', 'lr', ['0.1', '0.3', undefined, '0.2']);
    assert.equal(axis.kind, 'numeric');
    assert.equal(axisPosition(axis, '0.1'), 0);
    assert.equal(axisPosition(axis, '0.3'), 1);
    assert.ok(Math.abs(axisPosition(axis, 0.2)! - 0.5) < 1e-12);
    assert.equal(axisPosition(axis, undefined), undefined);
    assert.equal(axisPosition(buildAxis('m', 'm', [2, 2]), 2), 0.5);
  });

  it('spreads categories evenly in natural order', () => {
    const axis = buildAxis('param:model', 'model', ['mlp', 'cnn', 'resnet', 'cnn']);
    assert.equal(axis.kind, 'categorical');
    assert.deepEqual(axisTicks(axis, String).map((t) => [t.label, t.position]), [['cnn', 0], ['mlp', 0.5], ['resnet', 1]]);
  });
});
