"""The ``MLmodel`` file of an MLflow Model directory: read, write, and the files written beside it.

A model directory holds ``MLmodel`` (YAML: flavors, signature, input example info, run id, ...), the
serialized model, ``requirements.txt``, ``python_env.yaml``, ``conda.yaml`` and, when an input example
was given, ``input_example.json`` and ``serving_input_example.json`` (a ready ``/invocations`` body).
"""

import datetime
import json
import os
import platform
import uuid

from ..exceptions import TracksideException
from ..yaml_emitter import to_yaml
from .signature import ModelSignature
from .yaml_reader import load_yaml

MLMODEL_FILE = "MLmodel"
PYFUNC = "python_function"
INPUT_EXAMPLE_FILE = "input_example.json"
SERVING_INPUT_FILE = "serving_input_example.json"
TRACKSIDE_VERSION = "0.1.0"


class MLmodel(object):
    """MLflow's ``Model``: the parsed MLmodel file (``flavors``, ``signature``, ...) and its folder."""

    def __init__(self, flavors=None, signature=None, run_id=None, artifact_path=None, saved_input_example_info=None,
                 utc_time_created=None, model_uuid=None, metadata=None, extra=None):
        self.flavors = dict(flavors or {})
        self.signature = signature
        self.run_id = run_id
        self.artifact_path = artifact_path
        self.saved_input_example_info = saved_input_example_info
        self.utc_time_created = utc_time_created or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
        self.model_uuid = model_uuid or uuid.uuid4().hex
        self.metadata = metadata
        self.extra = dict(extra or {})
        self.folder = None

    @classmethod
    def load(cls, path):
        """Reads ``path/MLmodel`` (or the file itself)."""
        file = os.path.join(path, MLMODEL_FILE) if os.path.isdir(path) else path
        if not os.path.isfile(file):
            raise TracksideException(
                "No MLmodel file at {}: a model directory holds an MLmodel file naming its flavors (was this logged "
                "with log_model?).".format(file), error_code="RESOURCE_DOES_NOT_EXIST")
        with open(file, encoding="utf-8") as handle:
            try:
                document = load_yaml(handle.read())
            except ValueError as e:
                raise TracksideException("Cannot read {}: {}".format(file, e), error_code="INVALID_PARAMETER_VALUE")
        if not isinstance(document, dict):
            raise TracksideException("{} is not a YAML mapping.".format(file), error_code="INVALID_PARAMETER_VALUE")
        known = ("flavors", "signature", "run_id", "artifact_path", "saved_input_example_info", "utc_time_created",
                 "model_uuid", "metadata")
        model = cls(
            flavors=document.get("flavors") or {},
            signature=ModelSignature.from_dict(document.get("signature")),
            run_id=document.get("run_id"),
            artifact_path=document.get("artifact_path"),
            saved_input_example_info=document.get("saved_input_example_info"),
            utc_time_created=document.get("utc_time_created"),
            model_uuid=document.get("model_uuid"),
            metadata=document.get("metadata"),
            extra={k: v for k, v in document.items() if k not in known},
        )
        model.folder = os.path.dirname(os.path.abspath(file))
        return model

    def to_dict(self):
        out = {}
        if self.artifact_path:
            out["artifact_path"] = self.artifact_path
        out["flavors"] = self.flavors
        out.update(self.extra)
        out["model_uuid"] = self.model_uuid
        if self.run_id:
            out["run_id"] = self.run_id
        if self.saved_input_example_info:
            out["saved_input_example_info"] = self.saved_input_example_info
        if self.signature is not None:
            out["signature"] = self.signature.to_dict()
        if self.metadata:
            out["metadata"] = self.metadata
        out["utc_time_created"] = self.utc_time_created
        return out

    def to_yaml(self):
        return to_yaml(self.to_dict(), sort_keys=True)

    def to_json(self):
        return json.dumps(self.to_dict())

    def save(self, folder):
        with open(os.path.join(folder, MLMODEL_FILE), "w", encoding="utf-8") as handle:
            handle.write(self.to_yaml())

    def add_flavor(self, name, **settings):
        self.flavors[name] = settings

    @property
    def flavor_names(self):
        return list(self.flavors)

    def input_example(self):
        """The saved input example as MLflow stored it (a JSON value), or None."""
        info = self.saved_input_example_info or {}
        if not self.folder or not info.get("artifact_path"):
            return None
        path = os.path.join(self.folder, info["artifact_path"])
        if not os.path.isfile(path):
            return None
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)

    def serving_input_example(self):
        """A ready ``/invocations`` body for the input example (read or built), or None."""
        info = self.saved_input_example_info or {}
        serving = info.get("serving_input_path")
        if self.folder and serving and os.path.isfile(os.path.join(self.folder, serving)):
            with open(os.path.join(self.folder, serving), encoding="utf-8") as handle:
                return json.load(handle)
        example = self.input_example()
        if example is None:
            return None
        if info.get("type") == "ndarray":
            return example if isinstance(example, dict) and ("inputs" in example or "instances" in example) else {"inputs": example}
        if isinstance(example, dict) and "data" in example:
            return {"dataframe_split": example}
        if isinstance(example, list):
            return {"dataframe_records": example}
        return {"inputs": example}


def write_example(folder, example_table, array=None):
    """Writes the input example files; returns ``saved_input_example_info``."""
    from .table import to_json_value

    if array is not None:
        body = {"inputs": to_json_value(array)}
        _write_json(os.path.join(folder, INPUT_EXAMPLE_FILE), body)
        _write_json(os.path.join(folder, SERVING_INPUT_FILE), body)
        return {"artifact_path": INPUT_EXAMPLE_FILE, "type": "ndarray", "format": "tf-serving",
                "serving_input_path": SERVING_INPUT_FILE}
    split = {"columns": [str(c) for c in example_table.columns], "data": to_json_value(example_table.rows)}
    if not example_table.named:
        split.pop("columns")
    _write_json(os.path.join(folder, INPUT_EXAMPLE_FILE), split)
    _write_json(os.path.join(folder, SERVING_INPUT_FILE), {"dataframe_split": split})
    return {"artifact_path": INPUT_EXAMPLE_FILE, "type": "dataframe", "pandas_orient": "split",
            "serving_input_path": SERVING_INPUT_FILE}


def _write_json(path, value):
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=2)


def write_environment(folder, requirements):
    """``requirements.txt``, ``python_env.yaml`` and ``conda.yaml`` as MLflow writes them."""
    python_version = platform.python_version()
    with open(os.path.join(folder, "requirements.txt"), "w", encoding="utf-8") as handle:
        handle.write("".join(line + "\n" for line in requirements))
    python_env = {"python": python_version, "build_dependencies": ["pip"], "dependencies": ["-r requirements.txt"]}
    with open(os.path.join(folder, "python_env.yaml"), "w", encoding="utf-8") as handle:
        handle.write(to_yaml(python_env))
    conda = {"name": "mlflow-env", "channels": ["conda-forge"],
             "dependencies": ["python=" + python_version, "pip", {"pip": list(requirements)}]}
    with open(os.path.join(folder, "conda.yaml"), "w", encoding="utf-8") as handle:
        handle.write(to_yaml(conda))
    return {"conda": "conda.yaml", "virtualenv": "python_env.yaml"}


def package_version(import_name):
    """The installed version of a package by its import name (None when unknown)."""
    distribution = {"sklearn": "scikit-learn", "yaml": "PyYAML", "PIL": "Pillow"}.get(import_name, import_name)
    try:
        from importlib import metadata

        return metadata.version(distribution)
    except Exception:
        pass
    try:
        import importlib

        return getattr(importlib.import_module(import_name), "__version__", None)
    except Exception:
        return None


def requirement(import_name):
    distribution = {"sklearn": "scikit-learn", "yaml": "PyYAML", "PIL": "Pillow"}.get(import_name, import_name)
    version = package_version(import_name)
    return "{}=={}".format(distribution, version) if version else distribution
