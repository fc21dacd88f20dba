import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describeSignature, parseMlModel, readMlModel, servingInputExample } from '../../../src/core/models/mlModelFile';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { saveDemoModel } from './modelsFixture';

/** An MLmodel as mlflow 2.12 writes it for a scikit-learn model (PyYAML folds the long signature). */
const MLFLOW_SKLEARN = `artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
    predict_fn: predict
    python_version: 3.11.7
  sklearn:
    code: null
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.4.2
mlflow_version: 2.12.2
model_size_bytes: 1023
model_uuid: 6c1f0e4b3a2d4f6e8b9a0c1d2e3f4a5b
run_id: 0a9f8e7d6c5b4a3928171615141312ab
saved_input_example_info:
  artifact_path: input_example.json
  pandas_orient: split
  type: dataframe
signature:
  inputs: '[{"type": "double", "name": "sepal length (cm)", "required": true}, {"type":
    "double", "name": "sepal width (cm)", "required": true}, {"type": "string", "name":
    "kind", "required": false}]'
  outputs: '[{"type": "long", "required": true}]'
  params: null
utc_time_created: '2024-05-02 09:15:42.123456'
`;

describe('MLmodel files', function () {
  this.timeout(30_000);
  let folder: string;

  beforeEach(() => {
    folder = tempFolder('trackside-mlmodel-');
  });

  afterEach(() => removeFolder(folder));

  it('reads what mlflow writes: flavors, loader, folded signature, run and example info', () => {
    const info = parseMlModel(MLFLOW_SKLEARN, '/models/iris');
    assert.deepEqual(info.flavors, ['python_function', 'sklearn']);
    assert.equal(info.primaryFlavor, 'sklearn');
    assert.equal(info.loaderModule, 'mlflow.sklearn');
    assert.equal(info.runId, '0a9f8e7d6c5b4a3928171615141312ab');
    assert.equal(info.artifactPath, 'model');
    assert.deepEqual(info.signature?.inputs, [
      { name: 'sepal length (cm)', type: 'double', required: true },
      { name: 'sepal width (cm)', type: 'double', required: true },
      { name: 'kind', type: 'string', required: false },
    ]);
    assert.deepEqual(info.signature?.outputs, [{ type: 'long', required: true }]);
    assert.equal(info.signature?.kind, 'columns');
    assert.equal(describeSignature(info.signature), 'sepal length (cm): double, sepal width (cm): double, kind: string?');
    assert.equal(info.inputExamplePath, 'input_example.json');
    assert.equal(info.servingInputPath, undefined);
  });

  it('reads tensor signatures', () => {
    const text = `flavors:\n  python_function: {loader_module: mlflow.sklearn}\nsignature:\n  inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]'\n  outputs: null\n`;
    const info = parseMlModel(text, '/m');
    assert.equal(info.signature?.kind, 'tensor');
    assert.deepEqual(info.signature?.inputs, [{ type: 'tensor', required: true, dtype: 'float64', shape: [-1, 4] }]);
    assert.equal(describeSignature(info.signature), 'tensor float64 [-1,4]');
    assert.equal(describeSignature(undefined), 'no signature');
  });

  it('builds an /invocations body from each kind of saved example', async () => {
    const split = { columns: ['a', 'b'], data: [[1, 2]] };
    fs.writeFileSync(path.join(folder, 'split.json'), JSON.stringify(split));
    fs.writeFileSync(path.join(folder, 'records.json'), JSON.stringify([{ a: 1 }]));
    fs.writeFileSync(path.join(folder, 'tensor.json'), JSON.stringify({ inputs: [[1, 2]] }));
    const base = parseMlModel('flavors:\n  python_function: {}\n', folder);
    assert.deepEqual(await servingInputExample({ ...base, inputExamplePath: 'split.json', inputExampleType: 'dataframe' }), { dataframe_split: split });
    assert.deepEqual(await servingInputExample({ ...base, inputExamplePath: 'records.json' }), { dataframe_records: [{ a: 1 }] });
    assert.deepEqual(await servingInputExample({ ...base, inputExamplePath: 'tensor.json', inputExampleType: 'ndarray' }), { inputs: [[1, 2]] });
    assert.equal(await servingInputExample({ ...base, inputExamplePath: 'missing.json' }), undefined);
    assert.equal(await servingInputExample(base), undefined);
  });

  it('reads a model saved by the Python client, with its serving example', async () => {
    const model = await saveDemoModel(path.join(folder, 'demo'));
    const info = await readMlModel(model);
    assert.deepEqual(info.flavors, ['python_function', 'trackside.pickle']);
    assert.equal(info.loaderModule, 'trackside.models.pickle_flavor');
    assert.deepEqual(info.signature?.inputs.map((s) => `${s.name}:${s.type}`), ['tenure:long', 'plan:double', 'calls:double']);
    assert.equal(info.servingInputPath, 'serving_input_example.json');
    assert.deepEqual(await servingInputExample(info), {
      dataframe_split: { columns: ['tenure', 'plan', 'calls'], data: [[12, 2.0, 1.5], [40, 1.0, 0.0]] },
    });
  });

  it('says when a folder is not an MLflow Model', async () => {
    await assert.rejects(readMlModel(folder), /No MLmodel file in .*log_model/);
    fs.writeFileSync(path.join(folder, 'MLmodel'), '- just\n- a list\n');
    await assert.rejects(readMlModel(folder), /not a YAML mapping/);
  });
});
