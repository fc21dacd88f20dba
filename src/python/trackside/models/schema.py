"""Checks an input table against a model's signature and converts its values, once per column.

``InputPlan`` is built once for a header (per request, or once per file when batch scoring) and then
applied to many row batches: it picks the signature's columns in the signature's order (extra columns
are left out, as MLflow does), and converts each value to the column's type. Values read from CSV are
text and are parsed; JSON values are checked. A missing required column, or a value that is not of the
column's type, raises ``SchemaError`` naming the columns (and the row).
"""

import math

from .table import SchemaError, Table

_TRUE = frozenset(["true", "True", "TRUE", "1", "yes", "Yes", "t", "T"])
_FALSE = frozenset(["false", "False", "FALSE", "0", "no", "No", "f", "F"])
NAN = float("nan")


def _describe(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _type_error(column, row, value, column_type):
    return SchemaError("Column '{}' row {}: {} is not a valid {} (the model's signature says '{}' is {}).".format(
        column, row, _describe(value), column_type, column, column_type))


def _number(value, column, row, column_type, required):
    if value is None or value == "":
        return NAN
    if isinstance(value, bool):
        raise _type_error(column, row, value, column_type)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise _type_error(column, row, value, column_type)


def _integer(value, column, row, column_type, required):
    if value is None or value == "":
        if required:
            raise SchemaError("Column '{}' row {} is empty, but the model's signature requires a {} there.".format(column, row, column_type))
        return None
    if isinstance(value, bool):
        raise _type_error(column, row, value, column_type)
    if isinstance(value, int):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _type_error(column, row, value, column_type)
    if math.isnan(number) or math.isinf(number) or number != int(number):
        raise _type_error(column, row, value, column_type)
    return int(number)


def _boolean(value, column, row, column_type, required):
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        if required:
            raise SchemaError("Column '{}' row {} is empty, but the model's signature requires a boolean there.".format(column, row))
        return None
    if value in _TRUE or value == 1:
        return True
    if value in _FALSE or value == 0:
        return False
    raise _type_error(column, row, value, column_type)


def _string(value, column, row, column_type, required):
    if value is None:
        if required:
            raise SchemaError("Column '{}' row {} is empty, but the model's signature requires a string there.".format(column, row))
        return None
    if isinstance(value, (dict, list)):
        raise _type_error(column, row, value, column_type)
    return value if isinstance(value, str) else str(value)


def _as_is(value, column, row, column_type, required):
    return value


def _auto(text):
    """A CSV cell without a signature: an int, a float, None for an empty cell, or the text."""
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _inferred_cell(text, kind):
    """A CSV cell of a column whose type was inferred from the first batch (a later odd cell stays readable)."""
    if kind == "text":
        return text
    if text == "":
        return None
    try:
        return float(text) if kind == "double" else int(text)
    except ValueError:
        return _auto(text)


_CHECKS = {"double": _number, "float": _number, "long": _integer, "integer": _integer, "boolean": _boolean,
           "string": _string, "binary": _as_is, "datetime": _as_is}
# Converters that a whole batch is tried with first (C builtins); a failure falls back to the checks above.
_FAST_TEXT = {"double": float, "float": float, "long": int, "integer": int, "string": None}


class InputPlan(object):
    """What to pick from each row and how to convert it, for one header and one signature."""

    def __init__(self, columns, signature=None, from_text=False, exclude=()):
        self.source_columns = list(columns)
        excluded = set(exclude or ())
        available = [(i, c) for i, c in enumerate(self.source_columns) if c not in excluded]
        specs = signature.inputs if signature is not None and signature.inputs and not signature.is_tensor else None
        self.picks = []
        self.types = []
        self.required = []
        if specs is None:
            self.picks = [i for i, _ in available]
            self.columns = [c for _, c in available]
            self.types = [None] * len(self.picks)
            self.required = [False] * len(self.picks)
        elif signature.input_names() is None:
            if len(available) != len(specs):
                raise SchemaError("The model's signature takes {} unnamed columns but the input has {}: {}.".format(
                    len(specs), len(available), ", ".join(str(c) for _, c in available) or "none"))
            self.picks = [i for i, _ in available]
            self.columns = [c for _, c in available]
            self.types = [spec.get("type") for spec in specs]
            self.required = [spec.get("required", True) for spec in specs]
        else:
            positions = dict((c, i) for i, c in reversed(available))
            missing = [s["name"] for s in specs if s["name"] not in positions and s.get("required", True)]
            if missing:
                present = [str(c) for _, c in available]
                raise SchemaError(
                    "The input is missing {} that the model's signature requires: {}. The input has: {}.".format(
                        "a column" if len(missing) == 1 else "columns", ", ".join("'{}'".format(m) for m in missing),
                        ", ".join("'{}'".format(p) for p in present) or "no columns"), missing=missing)
            self.columns = [s["name"] for s in specs]
            self.picks = [positions.get(s["name"]) for s in specs]
            self.types = [s.get("type") for s in specs]
            self.required = [s.get("required", True) for s in specs]
        self.from_text = from_text
        self._identity = (self.picks == list(range(len(self.source_columns))) and all(t is None for t in self.types)
                          and not from_text)
        self._inferred = None
        self._builders = None

    def apply(self, rows, first_row=1):
        """A Table of the picked, converted values; ``first_row`` numbers rows in error messages."""
        if self._identity:
            return Table(self.columns, rows)
        if self.from_text and self._inferred is None:
            self._infer(rows)
        build = self._builder("rows")
        if build is not None:
            try:
                return Table(self.columns, build(rows))
            except (ValueError, TypeError):
                pass  # an empty or bad cell: the careful path below converts it or names it
        return Table(self.columns, self._careful(rows, first_row))

    def records(self, rows, first_row=1):
        """The picked, converted values as one dict per row (built in one pass when every cell converts)."""
        if self.from_text and self._inferred is None:
            self._infer(rows)
        build = self._builder("records")
        if build is not None:
            try:
                return build(rows)
            except (ValueError, TypeError):
                pass
        return self.apply(rows, first_row).to_records()

    def _builder(self, form):
        """A compiled ``rows -> [[c0(r[i0]), ...]]`` (or ``[{k0: c0(r[i0]), ...}]``) for the fast converters."""
        if self._builders is None:
            fast = self._fast_converters()
            self._builders = {} if fast is None else {"rows": _compile(fast, None), "records": _compile(fast, self.columns)}
        return self._builders.get(form)

    def _infer(self, rows):
        """Column types for CSV without a signature: long or double when every cell of the first batch is."""
        self._inferred = list(self.types)
        for position, (index, column_type) in enumerate(zip(self.picks, self.types)):
            if column_type is not None or index is None:
                continue
            kind = "long"
            for row in rows:
                text = row[index]
                if text == "":
                    continue
                try:
                    int(text)
                except ValueError:
                    try:
                        float(text)
                        kind = "double"
                    except ValueError:
                        kind = "text"
                        break
            self._inferred[position] = kind if rows else "text"

    def _fast_converters(self):
        converters = []
        types = self._inferred if self.from_text else self.types
        for index, column_type in zip(self.picks, types):
            if not self.from_text:
                if column_type in (None, "string", "binary", "datetime"):
                    converters.append((_same, index))
                elif column_type in ("double", "float"):
                    converters.append((float, index))
                else:
                    return None  # JSON integers and booleans are checked value by value
            elif column_type == "text":
                converters.append((_same, index))
            elif column_type in _FAST_TEXT:
                converters.append((_FAST_TEXT[column_type] or _same, index))
            else:
                return None
        return converters

    def _careful(self, rows, first_row):
        types = self._inferred if self.from_text else self.types
        checks = []
        for index, column, column_type, required, declared in zip(self.picks, self.columns, types, self.required, self.types):
            if index is None:
                checks.append((None, column, column_type, required, None))
            elif declared is None and self.from_text:
                checks.append((index, column, column_type, required, "auto"))
            else:
                checks.append((index, column, column_type, required, _CHECKS.get(column_type, _as_is)))
        out = []
        for offset, row in enumerate(rows):
            converted = []
            for index, column, column_type, required, check in checks:
                if index is None:
                    converted.append(None)
                elif check == "auto":
                    converted.append(_inferred_cell(row[index], column_type))
                else:
                    converted.append(check(row[index], column, first_row + offset, column_type, required))
            out.append(converted)
        return out


def _same(value):
    return value


def _compile(converters, names):
    """One comprehension for a whole batch: no per-cell loop in Python. The generated source holds only
    generated identifiers and integer indexes; converters and column names are passed as constants."""
    namespace = {}
    cells = []
    for position, (convert, index) in enumerate(converters):
        if index is None:
            cell = "None"
        elif convert is _same:
            cell = "r[{}]".format(int(index))
        else:
            namespace["c{}".format(position)] = convert
            cell = "c{}(r[{}])".format(position, int(index))
        if names is not None:
            namespace["k{}".format(position)] = names[position]
            cell = "k{}: {}".format(position, cell)
        cells.append(cell)
    body = "{" + ", ".join(cells) + "}" if names is not None else "[" + ", ".join(cells) + "]"
    exec("def build(rows):\n    return [{} for r in rows]\n".format(body), namespace)
    return namespace["build"]


def tensor_array(data, signature):
    """A numpy array for a tensor signature (dtype and trailing shape checked)."""
    import numpy

    spec = signature.inputs[0]["tensor-spec"]
    dtype = numpy.dtype(spec.get("dtype", "float64"))
    rows = data.rows if isinstance(data, Table) else data
    try:
        array = numpy.asarray(rows, dtype=dtype)
    except (TypeError, ValueError) as e:
        raise SchemaError("The input cannot be read as a {} tensor: {}".format(dtype, e))
    expected = spec.get("shape") or []
    if len(expected) == array.ndim + 1 and array.ndim >= 1 and expected[0] == -1:
        array = array.reshape((-1,) + tuple(array.shape))  # a single example without the batch axis
    if len(expected) != array.ndim or any(e != -1 and e != a for e, a in zip(expected, array.shape)):
        raise SchemaError("The input has shape {} but the model's signature expects shape {} (-1: any size).".format(
            list(array.shape), expected))
    return array
