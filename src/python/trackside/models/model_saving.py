"""``save_model`` and ``log_model``: an MLflow Model directory for a Python model, as run artifacts.

scikit-learn estimators get MLflow's own layout (flavors ``python_function`` with ``loader_module:
mlflow.sklearn`` and ``sklearn`` with ``serialization_format: pickle``), so ``mlflow.sklearn.load_model``
reads them too. Any other object with ``predict`` (or a callable) gets the ``trackside.pickle`` flavor.
"""

import os
import pickle
import platform
import shutil
import sys
import tempfile

from ..exceptions import TracksideException
from .mlmodel import PYFUNC, TRACKSIDE_VERSION, MLmodel, package_version, requirement, write_environment, write_example
from .pyfunc import INPUT_KINDS, PICKLE_FLAVOR, PICKLE_LOADER, PyFuncModel, _call_with_params
from .signature import ModelSignature, infer_signature, schema_of
from .table import Table

MODEL_FILE = "model.pkl"


class ModelInfo(object):
    """What ``log_model`` returns (MLflow's ``ModelInfo``)."""

    def __init__(self, run_id, artifact_path, mlmodel, registered_model_version=None):
        self.run_id = run_id
        self.artifact_path = artifact_path
        self.name = artifact_path
        self.model_uri = "runs:/{}/{}".format(run_id, artifact_path)
        self.flavors = mlmodel.flavors
        self.signature = mlmodel.signature
        self.saved_input_example_info = mlmodel.saved_input_example_info
        self.model_uuid = mlmodel.model_uuid
        self.utc_time_created = mlmodel.utc_time_created
        self.registered_model_version = registered_model_version

    def __repr__(self):
        return "ModelInfo(model_uri={!r})".format(self.model_uri)


def _is_sklearn(model):
    module = type(model).__module__ or ""
    if module.startswith("sklearn.") or module == "sklearn":
        return True
    base = sys.modules.get("sklearn.base")
    return base is not None and isinstance(model, base.BaseEstimator)


def _kind_of_example(example):
    """The predict input kind an example suggests: what the model was shown is what it will get."""
    if example is None:
        return "records"
    if type(example).__name__ == "DataFrame" and type(example).__module__.startswith("pandas"):
        return "pandas"
    if type(example).__name__ == "ndarray":
        return "numpy"
    if isinstance(example, dict):
        return "columns"
    if isinstance(example, (list, tuple)) and example and not isinstance(example[0], dict):
        return "rows"
    return "records"


def _copy_code(code_paths, folder):
    if not code_paths:
        return None
    target = os.path.join(folder, "code")
    os.makedirs(target)
    for source in code_paths:
        source = os.fspath(source)
        destination = os.path.join(target, os.path.basename(os.path.normpath(source)))
        if os.path.isdir(source):
            shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif os.path.isfile(source):
            shutil.copyfile(source, destination)
        else:
            raise TracksideException.invalid_parameter_value("code_paths: '{}' is not a file or folder.".format(source))
    return "code"


def _pickle_module(model, code_paths):
    """pickle, or cloudpickle for classes defined in __main__ (which pickle stores by a name no loader can import)."""
    if type(model).__module__ != "__main__" or code_paths:
        return pickle, "pickle"
    try:
        import cloudpickle

        return cloudpickle, "cloudpickle"
    except ImportError:
        raise TracksideException.invalid_parameter_value(
            "{} is defined in the script being run (__main__), so a scorer could not import it to unpickle the model. "
            "Move the class into a module (e.g. my_model.py) and log it with code_paths=['my_model.py'], or install "
            "cloudpickle.".format(type(model).__name__))


def save_model(model, path, signature=None, input_example=None, code_paths=None, pip_requirements=None,
               extra_pip_requirements=None, metadata=None, predict_input=None, mlmodel=None):
    """Writes an MLflow Model directory at ``path`` (which must not exist yet); returns its ``MLmodel``.

    ``signature``: a ``ModelSignature``, None to infer one from ``input_example`` (inputs, and outputs by
    predicting on it), or False for none. ``predict_input`` (``trackside.pickle`` only): what ``predict``
    is handed — records, columns, rows, numpy or pandas; by default the form of the input example.
    """
    path = os.fspath(path)
    if os.path.exists(path) and os.listdir(path):
        raise TracksideException("Path '{}' already exists and is not empty".format(path), error_code="RESOURCE_ALREADY_EXISTS")
    sklearn = _is_sklearn(model)
    predict_name = "predict" if callable(getattr(model, "predict", None)) else ("__call__" if callable(model) else None)
    if predict_name is None:
        raise TracksideException.invalid_parameter_value(
            "Cannot log a {}: a model needs a predict(model_input) method (or must be callable).".format(type(model).__name__))
    kind = predict_input or ("sklearn" if sklearn else _kind_of_example(input_example))
    if kind not in INPUT_KINDS:
        raise TracksideException.invalid_parameter_value("predict_input must be one of {}, not '{}'.".format(", ".join(INPUT_KINDS[:5]), kind))
    os.makedirs(path, exist_ok=True)
    mlmodel = mlmodel or MLmodel()
    mlmodel.folder = path
    code = _copy_code(code_paths, path)
    module, serialization = (pickle, "pickle") if sklearn else _pickle_module(model, code_paths)
    with open(os.path.join(path, MODEL_FILE), "wb") as handle:
        module.dump(model, handle, protocol=pickle.DEFAULT_PROTOCOL)

    array = input_example if type(input_example).__name__ == "ndarray" else None
    example_table = None
    if input_example is not None:
        example_table = None if array is not None else Table.from_example(input_example)
        mlmodel.saved_input_example_info = write_example(path, example_table, array)
    if signature is None and input_example is not None:
        signature = ModelSignature(inputs=schema_of(input_example))
        _infer_outputs(model, predict_name, kind, mlmodel, signature, input_example)
    mlmodel.signature = signature or None

    requirements = list(pip_requirements) if pip_requirements is not None else _default_requirements(model, sklearn, kind)
    requirements += list(extra_pip_requirements or [])
    pyfunc = {"loader_module": "mlflow.sklearn" if sklearn else PICKLE_LOADER, "model_path": MODEL_FILE,
              "predict_fn": predict_name, "python_version": platform.python_version(),
              "env": write_environment(path, requirements)}
    if code:
        pyfunc["code"] = code
    mlmodel.add_flavor(PYFUNC, **pyfunc)
    if sklearn:
        mlmodel.add_flavor("sklearn", pickled_model=MODEL_FILE, sklearn_version=package_version("sklearn"),
                           serialization_format="pickle", code=code)
    else:
        mlmodel.add_flavor(PICKLE_FLAVOR, pickled_model=MODEL_FILE, serialization_format=serialization,
                           predict_fn=predict_name, predict_input=kind,
                           python_class="{}.{}".format(type(model).__module__, type(model).__qualname__),
                           trackside_version=TRACKSIDE_VERSION)
    if metadata:
        mlmodel.metadata = dict(metadata)
    mlmodel.extra["model_size_bytes"] = _folder_size(path)
    mlmodel.extra["trackside_version"] = TRACKSIDE_VERSION
    mlmodel.save(path)
    return mlmodel


def _infer_outputs(model, predict_name, kind, mlmodel, signature, example):
    """Adds the output schema by predicting on the example; a model that fails there gets inputs only."""
    function = model if predict_name == "__call__" else getattr(model, predict_name)
    mlmodel.signature = signature
    loaded = PyFuncModel(mlmodel, _call_with_params(function), kind, model)
    try:
        output = loaded.predict(example)
        signature.outputs = infer_signature(model_output=output).outputs
    except Exception as e:  # the signature's inputs are still right; say why the outputs are missing
        sys.stderr.write("trackside: could not infer the model's output schema from the input example: {}\n".format(e))


def _default_requirements(model, sklearn, kind):
    wanted = []
    if sklearn:
        wanted += ["sklearn", "numpy", "scipy"]
    else:
        top = (type(model).__module__ or "").split(".")[0]
        if top not in ("__main__", "builtins", "trackside") and top not in sys.builtin_module_names and package_version(top):
            wanted.append(top)
        if kind == "numpy":
            wanted.append("numpy")
    if kind == "pandas":
        wanted.append("pandas")
    seen = []
    for name in wanted:
        if name not in seen:
            seen.append(name)
    return [requirement(name) for name in seen]


def _folder_size(folder):
    total = 0
    for root, _, files in os.walk(folder):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total


def log_model(model, name=None, artifact_path=None, registered_model_name=None, signature=None, input_example=None,
              code_paths=None, pip_requirements=None, extra_pip_requirements=None, metadata=None, predict_input=None,
              await_registration_for=300, run_id=None):
    """Logs ``model`` as the MLflow Model ``name`` of the active run (started if none); registers it when asked.

    Returns a ``ModelInfo`` (``model_uri`` is ``runs:/<run_id>/<name>``; ``registered_model_version`` is
    set when ``registered_model_name`` is given).
    """
    from .. import fluent
    from ..fluent_queries import register_model

    name = name or artifact_path or "model"
    run_id = run_id or fluent._get_or_start_run().info.run_id
    client = fluent._client()
    folder = tempfile.mkdtemp(prefix="trackside-model-")
    try:
        local = os.path.join(folder, "model")
        mlmodel = MLmodel(run_id=run_id, artifact_path=name)
        save_model(model, local, signature=signature, input_example=input_example, code_paths=code_paths,
                   pip_requirements=pip_requirements, extra_pip_requirements=extra_pip_requirements, metadata=metadata,
                   predict_input=predict_input, mlmodel=mlmodel)
        client.log_artifacts(run_id, local, name)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    try:
        client._call("POST", "runs/log-model", {"run_id": run_id, "model_json": mlmodel.to_json()})
    except TracksideException as e:
        if e.error_code not in ("ENDPOINT_NOT_FOUND", "NOT_IMPLEMENTED"):
            raise
    version = None
    if registered_model_name:
        version = register_model("runs:/{}/{}".format(run_id, name), registered_model_name,
                                 await_registration_for=await_registration_for).version
    return ModelInfo(run_id, name, mlmodel, version)
