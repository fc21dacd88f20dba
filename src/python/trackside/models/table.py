"""A small table (column names and rows) that every input form goes through before the model sees it.

Inputs arrive as records (list of dicts), columns (dict of lists), rows (list of lists), CSV text,
numpy arrays or pandas DataFrames; ``Table`` holds them as ``columns`` + ``rows`` (lists), so that the
signature can be checked and values converted in one place, and then hands the model what its
flavor expects: records, columns, rows, a numpy array or a DataFrame.
"""

import csv
import io
import math


class InputError(ValueError):
    """The input does not fit (shape, JSON form, values): the scoring server answers 400."""

    error_code = "BAD_REQUEST"


class SchemaError(InputError):
    """The input does not match the model's signature (missing columns, wrong types)."""

    def __init__(self, message, missing=None):
        InputError.__init__(self, message)
        self.missing = list(missing or [])


class Table(object):
    __slots__ = ("columns", "rows", "named")

    def __init__(self, columns, rows, named=True):
        self.columns = list(columns)
        self.rows = rows
        self.named = named

    def __len__(self):
        return len(self.rows)

    # ---- building ---------------------------------------------------------------------------

    @classmethod
    def from_records(cls, records):
        columns = []
        seen = set()
        for index, record in enumerate(records):
            if not isinstance(record, dict):
                raise InputError("Row {} is not a JSON object: records must be objects of column: value.".format(index + 1))
            for key in record:
                if key not in seen:
                    seen.add(key)
                    columns.append(key)
        return cls(columns, [[record.get(c) for c in columns] for record in records])

    @classmethod
    def from_columns(cls, mapping):
        columns = list(mapping)
        values = [mapping[c] if isinstance(mapping[c], (list, tuple)) else [mapping[c]] for c in columns]
        lengths = set(len(v) for v in values)
        if len(lengths) > 1:
            detail = ", ".join("{}: {}".format(c, len(v)) for c, v in zip(columns, values))
            raise InputError("Columns have different lengths ({}): every column needs one value per row.".format(detail))
        return cls(columns, [list(row) for row in zip(*values)] if values else [])

    @classmethod
    def from_rows(cls, rows, columns=None):
        rows = [list(row) if isinstance(row, (list, tuple)) else [row] for row in rows]
        width = len(rows[0]) if rows else len(columns or [])
        for index, row in enumerate(rows):
            if len(row) != width:
                raise InputError("Row {} has {} values but row 1 has {}: every row needs the same number of values.".format(
                    index + 1, len(row), width))
        if columns is None:
            return cls(list(range(width)), rows, named=False)
        if rows and len(columns) != width:
            raise InputError("{} columns are named but rows have {} values.".format(len(columns), width))
        return cls([str(c) if not isinstance(c, int) else c for c in columns], rows)

    @classmethod
    def from_csv_text(cls, text):
        reader = csv.reader(io.StringIO(text))
        try:
            header = next(reader)
        except StopIteration:
            raise InputError("The CSV body is empty: it needs a header row naming the columns.")
        rows = [row for row in reader if row]
        return cls.from_rows(rows, header)

    @classmethod
    def from_example(cls, value):
        """Any supported input: records, columns, rows, scalars, numpy arrays or DataFrames."""
        if isinstance(value, Table):
            return value
        frame = _pandas_frame_parts(value)
        if frame is not None:
            return cls(frame[0], frame[1])
        if hasattr(value, "tolist") and hasattr(value, "shape"):
            value = value.tolist()
            if value and not isinstance(value[0], list):
                value = [[v] for v in value]
            return cls.from_rows(value)
        if isinstance(value, dict):
            return cls.from_columns(value)
        if isinstance(value, (list, tuple)):
            if not value:
                return cls([], [])
            if isinstance(value[0], dict):
                return cls.from_records(value)
            return cls.from_rows(value)
        if isinstance(value, str) or not hasattr(value, "__iter__"):
            return cls.from_rows([[value]])
        raise InputError("Cannot read an input of type {}.".format(type(value).__name__))

    # ---- handing over -----------------------------------------------------------------------

    def to_records(self):
        columns = self.columns
        return [dict(zip(columns, row)) for row in self.rows]

    def to_columns(self):
        return {name: [row[i] for row in self.rows] for i, name in enumerate(self.columns)}

    def to_numpy(self, dtype=None):
        import numpy

        if dtype is None:
            try:
                return numpy.asarray(self.rows, dtype=float).reshape(len(self.rows), len(self.columns))
            except (TypeError, ValueError):
                return numpy.asarray(self.rows, dtype=object).reshape(len(self.rows), len(self.columns))
        return numpy.asarray(self.rows, dtype=dtype)

    def to_pandas(self):
        import pandas

        return pandas.DataFrame(self.rows, columns=self.columns)


def _pandas_frame_parts(value):
    try:
        import pandas
    except ImportError:
        return None
    if isinstance(value, pandas.DataFrame):
        return list(value.columns), value.astype(object).where(value.notna(), None).values.tolist()
    return None


# ---- the scoring protocol's JSON forms ------------------------------------------------------

INPUT_FIELDS = ("dataframe_split", "dataframe_records", "instances", "inputs")


def table_from_payload(payload):
    """A Table (and the ``params``) from MLflow's JSON request forms."""
    if not isinstance(payload, dict):
        raise InputError("The JSON body must be an object with exactly one of the fields {}; got a JSON {}.".format(
            ", ".join(INPUT_FIELDS), type(payload).__name__))
    given = [field for field in INPUT_FIELDS if field in payload]
    unknown = [field for field in payload if field not in INPUT_FIELDS and field != "params"]
    if len(given) != 1 or unknown:
        raise InputError("The JSON body must have exactly one of the fields {}; it has: {}.".format(
            ", ".join(INPUT_FIELDS), ", ".join(sorted(payload)) or "no fields"))
    field = given[0]
    value = payload[field]
    params = payload.get("params")
    if params is not None and not isinstance(params, dict):
        raise InputError("'params' must be a JSON object of parameter: value.")
    if field == "dataframe_split":
        if not isinstance(value, dict) or not isinstance(value.get("data"), list):
            raise InputError("'dataframe_split' must be an object with 'columns' (a list of names) and 'data' (a list of rows).")
        columns = value.get("columns")
        if columns is not None and not isinstance(columns, list):
            raise InputError("'dataframe_split.columns' must be a list of column names.")
        for index, row in enumerate(value["data"]):
            if not isinstance(row, list):
                raise InputError("'dataframe_split.data' row {} is not a list of values.".format(index + 1))
        return Table.from_rows(value["data"], columns), params
    if field == "dataframe_records":
        if not isinstance(value, list):
            raise InputError("'dataframe_records' must be a list of objects (one per row).")
        return Table.from_records(value), params
    # instances / inputs: TF serving's row and columnar forms.
    if isinstance(value, dict):
        return Table.from_columns(value), params
    if not isinstance(value, list):
        raise InputError("'{}' must be a list of rows or an object of columns.".format(field))
    if value and isinstance(value[0], dict):
        return Table.from_records(value), params
    return Table.from_rows(value), params


# ---- predictions ----------------------------------------------------------------------------

def to_json_value(value):
    """Numpy scalars and arrays, NaN and other non-JSON values as JSON-friendly Python values."""
    if hasattr(value, "tolist") and not isinstance(value, (list, dict, str)):
        value = value.tolist()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, (list, tuple)):
        return [to_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, (bytes, bytearray)):
        import base64

        return base64.b64encode(bytes(value)).decode("ascii")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def prediction_list(predictions):
    """Predictions as a plain list (one entry per row): DataFrames become records, arrays lists."""
    frame = _pandas_frame_parts(predictions)
    if frame is not None:
        columns, rows = frame
        if len(columns) == 1:
            return [row[0] for row in rows]
        return [dict(zip([str(c) for c in columns], row)) for row in rows]
    if hasattr(predictions, "tolist") and not isinstance(predictions, (list, dict)):
        return predictions.tolist()
    if isinstance(predictions, dict):
        table = Table.from_columns(predictions)
        return table.to_records()
    if isinstance(predictions, tuple):
        return list(predictions)
    if isinstance(predictions, list):
        return predictions
    try:
        return list(predictions)
    except TypeError:
        return [predictions]
