/**
 * Real MLflow files for the YAML tests: an MLmodel written by PyYAML's safe_dump the way MLflow
 * writes it (long signature strings folded over lines), MLproject files from MLflow's examples,
 * conda.yaml / python_env.yaml as MLflow generates them, and file-store meta.yaml files.
 */

export const SKLEARN_MLMODEL = `artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
    predict_fn: predict
    python_version: 3.11.9
  sklearn:
    code: null
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.5.1
metadata:
  flag: true
  note: café ✓
  threshold: 0.5
mlflow_version: 2.16.0
model_size_bytes: 1234
model_uuid: 8f2c4b19e0a7d3f1c6b8a2e4d7091f3b
run_id: a1b2c3d4e5f64718b9c0d1e2f3a4b5c6
saved_input_example_info:
  artifact_path: input_example.json
  pandas_orient: split
  serving_input_path: serving_input_example.json
  type: dataframe
signature:
  inputs: '[{"type": "double", "name": "sepal length (cm)", "required": true}, {"type":
    "double", "name": "sepal width (cm)", "required": true}, {"type": "double", "name":
    "petal length (cm)", "required": true}, {"type": "double", "name": "petal width
    (cm)", "required": true}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
  params: null
utc_time_created: '2024-08-14 10:12:01.123456'
`;

/** MLflow's docs example (models.rst): an old-style MLmodel with an unquoted timestamp. */
export const DOCS_MLMODEL = `time_created: 2018-05-25T17:28:53.35

flavors:
  sklearn:
    sklearn_version: 0.19.1
    pickled_model: model.pkl
  python_function:
    loader_module: mlflow.sklearn
`;

/** mlflow/examples/multistep_workflow/MLproject (a double-quoted command folded over two lines). */
export const MULTISTEP_MLPROJECT = `name: multistep_example

conda_env: conda.yaml

entry_points:
  load_raw_data:
    command: "python load_raw_data.py"

  etl_data:
    parameters:
      ratings_csv: path
      max_row_limit: {type: int, default: 100000}
    command: "python etl_data.py --ratings-csv {ratings_csv} --max-row-limit {max_row_limit}"

  als:
    parameters:
      ratings_data: path
      max_iter: {type: int, default: 10}
      reg_param: {type: float, default: 0.1}
      rank: {type: int, default: 12}
    command: "python als.py --ratings-data {ratings_data} --max-iter {max_iter} --reg-param {reg_param} --rank {rank}"

  main:
    parameters:
      als_max_iter: {type: int, default: 10}
      keras_hidden_units: {type: int, default: 20}
      max_row_limit: {type: int, default: 100000}
    command: "python main.py --als-max-iter {als_max_iter} --keras-hidden-units {keras_hidden_units}
                             --max-row-limit {max_row_limit}"

`;

/** mlflow/examples/docker/MLproject, with the volumes and environment forms MLflow's docs show. */
export const DOCKER_MLPROJECT = `name: docker-example

docker_env:
  image:  mlflow-docker-example
  namespace: marcusrehm
  registry:
  volumes: ["/local/path:/container/mount/path"]
  environment: [["NEW_ENV_VAR", "new_var_value"], "VAR_TO_COPY_FROM_HOST_ENVIRONMENT"]

kubernetes_env:
  job_namespace: mlflow

entry_points:
  main:
    parameters:
      alpha: float
      l1_ratio: {type: float, default: 0.1}
    command: "python train.py --alpha {alpha} --l1-ratio {l1_ratio}"
`;

/** mlflow/examples/sklearn_elasticnet_wine/MLproject. */
export const WINE_MLPROJECT = `name: tutorial

python_env: python_env.yaml

entry_points:
  main:
    parameters:
      alpha: {type: float, default: 0.5}
      l1_ratio: {type: float, default: 0.1}
    command: "python train.py {alpha} {l1_ratio}"
`;

/** conda.yaml as mlflow.sklearn.log_model writes it (sequences at the key's indentation). */
export const MODEL_CONDA_YAML = `channels:
- conda-forge
dependencies:
- python=3.11.9
- pip<=24.2
- pip:
  - mlflow==2.16.0
  - cloudpickle==3.0.0
  - scikit-learn==1.5.1
name: mlflow-env
`;

export const MODEL_PYTHON_ENV_YAML = `python: 3.11.9
build_dependencies:
- pip==24.2
- setuptools==72.1.0
- wheel==0.43.0
dependencies:
- -r requirements.txt
`;

/** A run's meta.yaml in MLflow's file store (mlruns/<experiment>/<run>/meta.yaml). */
export const RUN_META_YAML = `artifact_uri: file:///home/ana/project/mlruns/0/4af184e8527a4f4a8fc563386807acb2/artifacts
end_time: 1700000059000
entry_point_name: ''
experiment_id: '0'
lifecycle_stage: active
run_id: 4af184e8527a4f4a8fc563386807acb2
run_name: unruly-owl-123
run_uuid: 4af184e8527a4f4a8fc563386807acb2
source_name: ''
source_type: 4
source_version: ''
start_time: 1700000000000
status: 3
tags: []
user_id: ana
`;

/** An experiment's meta.yaml in MLflow's file store. */
export const EXPERIMENT_META_YAML = `artifact_location: file:///home/ana/project/mlruns/123456789
creation_time: 1700000000000
experiment_id: '123456789'
last_update_time: 1700000000000
lifecycle_stage: active
name: iris classifier
`;
