"""Model signatures as MLflow writes them, and their inference from an input example.

A signature part is a list of column specs ``{"type": "double", "name": "x", "required": true}`` or
tensor specs ``{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}``, stored in
the MLmodel file as JSON strings (``signature: {inputs: '[...]', outputs: '[...]', params: null}``).

Examples are inferred from: a list of dicts (records), a dict of lists (columns), a list of lists,
numpy arrays and pandas DataFrames (when those libraries are installed), and scalars lists.
"""

import datetime
import json

COLUMN_TYPES = ("boolean", "integer", "long", "float", "double", "string", "binary", "datetime")
_NUMPY_KIND = {"b": "boolean", "i": "long", "u": "long", "f": "double", "U": "string", "S": "binary", "M": "datetime"}


class ModelSignature(object):
    """``inputs`` and ``outputs`` (lists of spec dicts, or None) and ``params`` (list or None)."""

    def __init__(self, inputs=None, outputs=None, params=None):
        self.inputs = inputs
        self.outputs = outputs
        self.params = params

    def to_dict(self):
        """The MLmodel form: each part a JSON string (or None)."""
        encode = lambda part: json.dumps(part) if part is not None else None  # noqa: E731
        return {"inputs": encode(self.inputs), "outputs": encode(self.outputs), "params": encode(self.params)}

    @classmethod
    def from_dict(cls, value):
        if not value:
            return None

        def decode(part):
            if part is None or part == "":
                return None
            return json.loads(part) if isinstance(part, str) else part

        return cls(decode(value.get("inputs")), decode(value.get("outputs")), decode(value.get("params")))

    @property
    def is_tensor(self):
        return bool(self.inputs) and all(spec.get("type") == "tensor" for spec in self.inputs)

    def input_names(self):
        """Column names of a column-based input schema, or None when it has unnamed or tensor specs."""
        if not self.inputs or self.is_tensor or any("name" not in spec for spec in self.inputs):
            return None
        return [spec["name"] for spec in self.inputs]

    def __eq__(self, other):
        return isinstance(other, ModelSignature) and self.to_dict() == other.to_dict()

    def __repr__(self):
        return "ModelSignature(inputs={!r}, outputs={!r}, params={!r})".format(self.inputs, self.outputs, self.params)


def _value_type(value):
    """The MLflow column type of one Python (or numpy) value; None for a missing value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return None if value != value else "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (bytes, bytearray)):
        return "binary"
    if isinstance(value, (datetime.datetime, datetime.date)):
        return "datetime"
    dtype = getattr(value, "dtype", None)
    if dtype is not None:
        if dtype.kind == "f":
            return "float" if dtype.itemsize == 4 else "double"
        if dtype.kind in "iu":
            return "integer" if dtype.itemsize <= 4 else "long"
        return _NUMPY_KIND.get(dtype.kind, "string")
    raise TypeError("Cannot infer a column type for a value of type {}".format(type(value).__name__))


def _merge(types):
    """One column type for the values seen: numbers widen to double, anything mixed becomes string."""
    seen = set(t for t in types if t is not None)
    if not seen:
        return "string"
    if len(seen) == 1:
        return seen.pop()
    if seen <= {"integer", "long", "float", "double"}:
        return "double"
    if seen <= {"integer", "long"}:
        return "long"
    return "string"


def column_specs(columns, rows):
    """Column specs for a table given as names and rows; a column with missing values is optional."""
    specs = []
    for index, name in enumerate(columns):
        values = [row[index] for row in rows]
        missing = any(v is None or (isinstance(v, float) and v != v) for v in values)
        spec = {"type": _merge(_value_type(v) for v in values)}
        if name is not None:
            spec["name"] = str(name)
        spec["required"] = not missing
        specs.append(spec)
    return specs


def _numpy_module():
    try:
        import numpy

        return numpy
    except ImportError:
        return None


def _pandas_frame(value):
    try:
        import pandas
    except ImportError:
        return False
    return isinstance(value, pandas.DataFrame)


def _tensor_spec(array):
    shape = [-1] + list(array.shape[1:])
    return [{"type": "tensor", "tensor-spec": {"dtype": str(array.dtype), "shape": shape}}]


def schema_of(example):
    """The specs that describe ``example``; raises TypeError for what cannot be described."""
    from .table import Table

    numpy = _numpy_module()
    if numpy is not None and isinstance(example, numpy.ndarray):
        return _tensor_spec(example)
    if _pandas_frame(example):
        specs = []
        for name in example.columns:
            series = example[name]
            kind = series.dtype.kind
            if kind == "O":
                column_type = _merge(_value_type(v) for v in series.tolist())
            else:
                column_type = _value_type(series.dtype.type(0)) if kind != "M" else "datetime"
            specs.append({"type": column_type, "name": str(name), "required": not bool(series.isna().any())})
        return specs
    if hasattr(example, "tolist") and not isinstance(example, (list, dict)):
        example = example.tolist()  # a pandas Series, a numpy scalar
    table = Table.from_example(example)
    return column_specs(table.columns if table.named else [None] * len(table.columns), table.rows)


def infer_signature(model_input=None, model_output=None, params=None):
    """MLflow's ``infer_signature``: specs for the input and (when given) the output."""
    inputs = schema_of(model_input) if model_input is not None else None
    outputs = None
    if model_output is not None:
        outputs = schema_of(model_output if not isinstance(model_output, (list, tuple)) or _is_table_like(model_output)
                            else [[value] for value in model_output])
        if outputs and len(outputs) == 1 and outputs[0].get("name") in ("0", None):
            outputs[0].pop("name", None)
    param_specs = None
    if params:
        param_specs = [{"name": k, "type": _value_type(v) or "string", "default": v, "shape": None} for k, v in params.items()]
    return ModelSignature(inputs, outputs, param_specs)


def _is_table_like(values):
    return bool(values) and isinstance(values[0], (dict, list, tuple))
