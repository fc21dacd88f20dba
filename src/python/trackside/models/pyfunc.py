"""``PyFuncModel``: a loaded model directory with one ``predict``, whatever its flavor.

Flavors read (from ``python_function``'s ``loader_module``):

* ``trackside.models.pickle_flavor`` — Trackside's ``trackside.pickle`` flavor: any pickled Python
  object with ``predict`` (or a callable), handed records, columns, rows, a numpy array or a DataFrame;
* ``mlflow.sklearn`` — scikit-learn estimators (``pickle`` or ``cloudpickle`` files; needs scikit-learn);
* ``mlflow.pyfunc.model`` — MLflow ``PythonModel`` subclasses saved with cloudpickle (needs cloudpickle,
  and mlflow when the class derives from ``mlflow.pyfunc.PythonModel``);
* anything else through ``mlflow.pyfunc.load_model`` when mlflow is installed.
"""

import inspect
import os
import pickle
import sys

from ..exceptions import TracksideException
from .mlmodel import PYFUNC, MLmodel
from .schema import InputPlan, tensor_array
from .table import Table, prediction_list

PICKLE_FLAVOR = "trackside.pickle"
PICKLE_LOADER = "trackside.models.pickle_flavor"
INPUT_KINDS = ("records", "columns", "rows", "numpy", "pandas", "sklearn")


def _missing_library(error, what):
    name = getattr(error, "name", None) or str(error)
    hint = {"sklearn": "scikit-learn", "cloudpickle": "cloudpickle", "mlflow": "mlflow"}.get(name, name)
    return TracksideException(
        "Loading {} needs the Python package '{}', which this interpreter ({}) cannot import: install it "
        "(pip install {}) or choose an interpreter that has it.".format(what, name, sys.executable, hint),
        error_code="INVALID_PARAMETER_VALUE")


def read_pickle(path, serialization_format="pickle", what="the model"):
    """Unpickles a model file; cloudpickle files are read with cloudpickle when it is importable."""
    if serialization_format == "skops":
        raise TracksideException("{} was saved with skops, which Trackside does not read: save it with "
                                 "serialization_format='pickle' or 'cloudpickle'.".format(what), error_code="INVALID_PARAMETER_VALUE")
    loader = pickle
    if serialization_format == "cloudpickle":
        try:
            import cloudpickle as loader
        except ImportError:
            loader = pickle  # cloudpickle writes standard pickles; only by-value functions need it to load
    try:
        with open(path, "rb") as handle:
            return loader.load(handle)
    except (ImportError, AttributeError) as e:
        if isinstance(e, ImportError):
            raise _missing_library(e, what)
        if serialization_format == "cloudpickle" and loader is pickle:
            raise TracksideException(
                "{} was saved with cloudpickle and needs it to load ({}): install cloudpickle (pip install "
                "cloudpickle).".format(what, e), error_code="INVALID_PARAMETER_VALUE")
        raise TracksideException("Cannot unpickle {}: {}. Its class must be importable: log the model with "
                                 "code_paths=[...] naming the module that defines it.".format(what, e),
                                 error_code="INVALID_PARAMETER_VALUE")


class _Context(object):
    """What MLflow hands ``PythonModel.load_context`` and ``predict``."""

    def __init__(self, artifacts, model_config):
        self.artifacts = artifacts
        self.model_config = model_config


class PyFuncModel(object):
    """A loaded model: ``predict(data)`` for any input form, plus what the scorer and server need."""

    def __init__(self, mlmodel, predict_fn, input_kind, raw_model=None):
        self.metadata = mlmodel
        self._predict_fn = predict_fn
        self.input_kind = input_kind
        self.raw_model = raw_model
        self.flavor = next((name for name in mlmodel.flavors if name != PYFUNC), PYFUNC)

    @property
    def signature(self):
        return self.metadata.signature

    def unwrap_python_model(self):
        return self.raw_model

    def predict(self, data, params=None):
        """The model's own output for ``data`` (records, columns, rows, a numpy array, a DataFrame, a Table)."""
        if self.signature is not None and self.signature.is_tensor:
            array = tensor_array(data if hasattr(data, "shape") else Table.from_example(data), self.signature)
            return self._predict_fn(array, params)
        table = Table.from_example(data)
        return self.call(self.plan(table.columns).apply(table.rows), params)

    def plan(self, columns, from_text=False, exclude=()):
        """The ``InputPlan`` for a header (built once per file or request)."""
        return InputPlan(columns, self.signature, from_text=from_text, exclude=exclude)

    def predict_table(self, table, params=None, from_text=False):
        """Predictions as a list, one per row, for a Table (JSON and CSV requests, batch scoring)."""
        if self.signature is not None and self.signature.is_tensor:
            return prediction_list(self._predict_fn(tensor_array(table, self.signature), params))
        prepared = self.plan(table.columns, from_text=from_text).apply(table.rows)
        return prediction_list(self.call(prepared, params))

    def call(self, prepared, params=None):
        """Hands a checked Table to the model in the form its flavor takes."""
        return self._predict_fn(self.hand_over(prepared), params)

    def predict_rows(self, plan, rows, params=None, first_row=1):
        """Predictions (a list) for raw rows through ``plan``: records are built in one pass."""
        if self.signature is not None and self.signature.is_tensor:
            return prediction_list(self._predict_fn(tensor_array(plan.apply(rows, first_row), self.signature), params))
        if self.input_kind == "records":
            return prediction_list(self._predict_fn(plan.records(rows, first_row), params))
        return prediction_list(self.call(plan.apply(rows, first_row), params))

    def hand_over(self, table):
        kind = self.input_kind
        if kind == "records":
            return table.to_records()
        if kind == "columns":
            return table.to_columns()
        if kind == "rows":
            return table.rows
        if kind == "numpy":
            return table.to_numpy()
        if kind == "pandas":
            return table.to_pandas()
        if kind == "sklearn":
            return self._sklearn_input(table)
        raise TracksideException("Unknown predict input kind '{}'.".format(kind))

    def _sklearn_input(self, table):
        """A DataFrame in the estimator's own column order when it was fitted with names (and pandas is
        here), else a float array."""
        names = getattr(self.raw_model, "feature_names_in_", None)
        if names is not None:
            wanted = [str(n) for n in names]
            columns = [str(c) for c in table.columns]
            if wanted != columns and set(wanted) <= set(columns):
                positions = {c: i for i, c in enumerate(columns)}
                table = Table(wanted, [[row[positions[n]] for n in wanted] for row in table.rows])
            try:
                import pandas
            except ImportError:
                return table.to_numpy()
            if wanted == [str(c) for c in table.columns]:
                array = table.to_numpy()
                return pandas.DataFrame(array, columns=wanted) if array.dtype != object else table.to_pandas()
        return table.to_numpy()


def _call_with_params(function):
    """``function(data, params)`` when it takes params, else ``function(data)``."""
    try:
        accepts = "params" in inspect.signature(function).parameters
    except (TypeError, ValueError):
        accepts = False
    if accepts:
        return lambda data, params: function(data, params=params)
    return lambda data, params: function(data)


def load_pyfunc(model_dir):
    """Loads the model directory ``model_dir`` as a ``PyFuncModel``."""
    model_dir = os.path.abspath(model_dir)
    mlmodel = MLmodel.load(model_dir)
    conf = mlmodel.flavors.get(PYFUNC)
    if not isinstance(conf, dict):
        raise TracksideException(
            "The model at {} has no python_function flavor (its flavors: {}), so it cannot be scored from Python.".format(
                model_dir, ", ".join(mlmodel.flavor_names) or "none"), error_code="INVALID_PARAMETER_VALUE")
    code = conf.get("code")
    if code:
        code_folder = os.path.join(model_dir, code)
        if code_folder not in sys.path:
            sys.path.insert(0, code_folder)
    loader = conf.get("loader_module")
    if loader == PICKLE_LOADER:
        return _load_trackside_pickle(model_dir, mlmodel, conf)
    if loader == "mlflow.sklearn":
        return _load_sklearn(model_dir, mlmodel, conf)
    if loader == "mlflow.pyfunc.model":
        return _load_python_model(model_dir, mlmodel, conf)
    return _load_with_mlflow(model_dir, mlmodel, loader)


def _load_trackside_pickle(model_dir, mlmodel, conf):
    flavor = mlmodel.flavors.get(PICKLE_FLAVOR) or {}
    path = os.path.join(model_dir, conf.get("model_path") or flavor.get("pickled_model") or "model.pkl")
    model = read_pickle(path, flavor.get("serialization_format", "pickle"), "the model's pickled object")
    name = flavor.get("predict_fn") or conf.get("predict_fn") or "predict"
    function = model if name == "__call__" else getattr(model, name, None)
    if not callable(function):
        raise TracksideException("The pickled {} has no callable '{}'.".format(type(model).__name__, name),
                                 error_code="INVALID_PARAMETER_VALUE")
    kind = flavor.get("predict_input", "records")
    return PyFuncModel(mlmodel, _call_with_params(function), kind if kind in INPUT_KINDS else "records", model)


def _load_sklearn(model_dir, mlmodel, conf):
    flavor = mlmodel.flavors.get("sklearn") or {}
    path = os.path.join(model_dir, conf.get("model_path") or flavor.get("pickled_model") or "model.pkl")
    try:
        import sklearn  # noqa: F401  (a clear message before unpickling fails deep inside)
    except ImportError as e:
        raise _missing_library(e, "a scikit-learn model")
    model = read_pickle(path, flavor.get("serialization_format", "cloudpickle"), "the scikit-learn model")
    function = getattr(model, conf.get("predict_fn") or "predict")
    kind = "numpy" if mlmodel.signature is not None and mlmodel.signature.is_tensor else "sklearn"
    return PyFuncModel(mlmodel, _call_with_params(function), kind, model)


def _load_python_model(model_dir, mlmodel, conf):
    try:
        import cloudpickle
    except ImportError as e:
        raise _missing_library(e, "an MLflow PythonModel (python_function saved with cloudpickle)")
    path = os.path.join(model_dir, conf.get("python_model") or "python_model.pkl")
    try:
        with open(path, "rb") as handle:
            python_model = cloudpickle.load(handle)
    except ImportError as e:
        raise _missing_library(e, "this MLflow PythonModel")
    artifacts = {name: os.path.join(model_dir, entry.get("path", "")) for name, entry in (conf.get("artifacts") or {}).items()}
    context = _Context(artifacts, conf.get("model_config") or {})
    if hasattr(python_model, "load_context"):
        python_model.load_context(context)
    predict = python_model.predict
    try:
        names = list(inspect.signature(predict).parameters)
    except (TypeError, ValueError):
        names = ["context", "model_input", "params"]
    takes_params = "params" in names
    if names and names[0] == "context":
        function = (lambda data, params: predict(context, data, params=params)) if takes_params else (lambda data, params: predict(context, data))
    else:
        function = (lambda data, params: predict(data, params=params)) if takes_params else (lambda data, params: predict(data))
    try:
        import pandas  # noqa: F401

        kind = "pandas"
    except ImportError:
        kind = "records"
    return PyFuncModel(mlmodel, function, kind, python_model)


def _load_with_mlflow(model_dir, mlmodel, loader):
    try:
        import mlflow.pyfunc
    except ImportError:
        raise TracksideException(
            "The model's python_function flavor is loaded by '{}', which Trackside does not read itself (it reads "
            "trackside.pickle, sklearn and cloudpickled PythonModels): install mlflow and the flavor's library "
            "(pip install mlflow) to score it.".format(loader), error_code="INVALID_PARAMETER_VALUE")
    model = mlflow.pyfunc.load_model(model_dir)
    return PyFuncModel(mlmodel, lambda data, params: model.predict(data, params=params) if params else model.predict(data),
                       "pandas", model)
