"""Batch scoring: ``python3 -m trackside.models.score --model-dir D --input in.csv --output out.csv``.

Reads the input (CSV with a header, or JSON lines) in chunks, checks each chunk against the model's
signature, appends a prediction column and writes ``<output>.tmp``, renamed over ``<output>`` only when
every row was scored (so a failed or stopped run never leaves a half-written output). Progress and the
outcome are JSON lines on stderr, each with an ``event`` key:

    {"event": "loaded", "flavor": "sklearn", "seconds": 0.2, "columns": [...]}
    {"event": "progress", "rows": 20000, "bytes": 1048576, "total_bytes": 5242880}
    {"event": "done", "input_rows": 100000, "output_rows": 100000, "seconds": 3.1, "output": "/abs/out.csv"}
    {"event": "error", "error_code": "SCHEMA_MISMATCH", "message": "The input is missing a column ..."}

Exit codes: 0 done, 1 the model or a file failed, 2 the input does not fit (schema, format), 130 stopped
(SIGTERM or SIGINT).
"""

import argparse
import collections
import csv
import itertools
import json
import math
import os
import signal
import sys
import time

from .pyfunc import load_pyfunc
from .table import InputError, SchemaError, Table, to_json_value

DEFAULT_BATCH_ROWS = 10000
PROGRESS_INTERVAL = 0.2


class Stopped(Exception):
    pass


class _Reporter(object):
    def __init__(self, stream):
        self.stream = stream
        self.last = 0.0

    def emit(self, event, **fields):
        fields["event"] = event
        self.stream.write(json.dumps(fields) + "\n")
        self.stream.flush()

    def progress(self, rows, position, total, force=False):
        now = time.monotonic()
        if force or now - self.last >= PROGRESS_INTERVAL:
            self.last = now
            self.emit("progress", rows=rows, bytes=position, total_bytes=total)


def _format_of(path, given):
    if given:
        return given
    lowered = path.lower()
    return "jsonl" if lowered.endswith((".jsonl", ".ndjson", ".json")) else "csv"


def _csv_chunks(handle, batch_rows):
    """(header, chunks of rows) from a CSV file; blank lines are skipped; ragged rows are an error."""
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("The input file is empty: a CSV file needs a header row naming the columns.")
    width = len(header)

    def chunks():
        while True:
            chunk = [row for row in itertools.islice(reader, batch_rows) if row]
            if not chunk:
                return
            if len(set(map(len, chunk))) != 1 or len(chunk[0]) != width:
                bad = next(row for row in chunk if len(row) != width)
                raise InputError("A row has {} fields but the header has {} (near line {}): {}".format(
                    len(bad), width, reader.line_num, ",".join(bad)[:80]))
            yield chunk

    return header, chunks()


def _jsonl_chunks(handle, batch_rows):
    """(columns of the first record batch, chunks of dicts) from a JSON-lines file."""
    line_number = [0]

    def records():
        for line in handle:
            line_number[0] += 1
            text = line.strip()
            if not text:
                continue
            try:
                record = json.loads(text)
            except ValueError as e:
                raise InputError("Line {} is not JSON: {}".format(line_number[0], e))
            if not isinstance(record, dict):
                raise InputError("Line {} is not a JSON object (each line must be one row).".format(line_number[0]))
            yield record

    stream = records()
    first = list(itertools.islice(stream, batch_rows))
    columns = Table.from_records(first).columns

    def chunks():
        chunk = first
        while chunk:
            yield chunk
            chunk = list(itertools.islice(stream, batch_rows))

    return columns, chunks()


def _plain_values(predictions):
    """True when every prediction is an int, float or str and no float is NaN (csv writes them as they are)."""
    kinds = set(map(type, predictions))
    if not kinds <= {int, float, str}:
        return False
    return float not in kinds or not any(map(math.isnan, (p for p in predictions if type(p) is float) if str in kinds else predictions))


def _cell(value):
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return value


class _Writer(object):
    """Writes input rows plus predictions to CSV or JSON lines."""

    def __init__(self, handle, output_format, header, prediction_column):
        self.handle = handle
        self.format = output_format
        self.header = list(header)
        self.prediction_column = prediction_column
        self.prediction_keys = None
        self.csv = csv.writer(handle, lineterminator="\n") if output_format == "csv" else None

    def write(self, rows, predictions, from_records):
        if len(predictions) != len(rows):
            raise RuntimeError("The model returned {} predictions for {} rows.".format(len(predictions), len(rows)))
        if self.format == "jsonl":
            lines = []
            for row, prediction in zip(rows, predictions):
                record = dict(row) if from_records else dict(zip(self.header, row))
                record[self.prediction_column] = to_json_value(prediction)
                lines.append(json.dumps(record))
            self.handle.write("\n".join(lines) + "\n")
            return
        if self.prediction_keys is None:
            first = predictions[0] if predictions else None
            self.prediction_keys = list(first) if isinstance(first, dict) else []
            names = ["{}.{}".format(self.prediction_column, k) for k in self.prediction_keys] or [self.prediction_column]
            self.csv.writerow(self.header + names)
        if from_records:
            rows = [[_cell(record.get(c)) for c in self.header] for record in rows]
        if self.prediction_keys:
            keys = self.prediction_keys
            self.csv.writerows(row + [_cell(p.get(k)) for k in keys] for row, p in zip(rows, predictions))
        elif not from_records and _plain_values(predictions):
            # Numbers and texts without NaN: appended in place, in C (the rows are this chunk's own lists).
            collections.deque(map(list.append, rows, predictions), maxlen=0)
            self.csv.writerows(rows)
        else:
            self.csv.writerows(row + [_cell(to_json_value(p))] for row, p in zip(rows, predictions))

    def finish_empty(self):
        if self.csv is not None and self.prediction_keys is None:
            self.csv.writerow(self.header + [self.prediction_column])


def score_file(model, input_path, output_path, input_format=None, output_format=None, prediction_column="prediction",
               batch_rows=DEFAULT_BATCH_ROWS, exclude=(), params=None, reporter=None, should_stop=lambda: False):
    """Scores ``input_path`` into ``output_path`` (atomically); returns ``(input_rows, output_rows)``."""
    input_format = _format_of(input_path, input_format)
    output_format = _format_of(output_path, output_format)
    total = os.path.getsize(input_path)
    temporary = output_path + ".tmp"
    rows_in = rows_out = 0
    handle = open(input_path, "r", newline="", encoding="utf-8-sig")
    try:
        if input_format == "csv":
            header, chunks = _csv_chunks(handle, batch_rows)
        else:
            header, chunks = _jsonl_chunks(handle, batch_rows)
        if prediction_column in header:
            raise InputError("The input already has a column named '{}': choose another name for the predictions "
                             "(--prediction-column).".format(prediction_column))
        plan = model.plan(header, from_text=input_format == "csv", exclude=exclude)
        with open(temporary, "w", newline="", encoding="utf-8") as out:
            writer = _Writer(out, output_format, header, prediction_column)
            for chunk in chunks:
                if should_stop():
                    raise Stopped()
                if input_format == "csv":
                    source_rows = chunk
                else:
                    source_rows = [[record.get(c) for c in header] for record in chunk]
                predictions = model.predict_rows(plan, source_rows, params, rows_in + 1)
                writer.write(chunk, predictions, input_format != "csv")
                rows_in += len(chunk)
                rows_out += len(chunk)
                if reporter:
                    reporter.progress(rows_in, handle.buffer.tell() if hasattr(handle, "buffer") else 0, total)
            if rows_in == 0:
                writer.finish_empty()
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, output_path)
    except BaseException:
        try:
            os.remove(temporary)
        except OSError:
            pass
        raise
    finally:
        handle.close()
    return rows_in, rows_out


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m trackside.models.score", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model-dir", required=True, help="The MLflow Model folder (with its MLmodel file)")
    parser.add_argument("--input", required=True, help="CSV with a header row, or JSON lines (.jsonl)")
    parser.add_argument("--output", required=True, help="CSV or JSON lines file to write")
    parser.add_argument("--input-format", choices=("csv", "jsonl"))
    parser.add_argument("--output-format", choices=("csv", "jsonl"))
    parser.add_argument("--prediction-column", default="prediction")
    parser.add_argument("--batch-rows", type=int, default=DEFAULT_BATCH_ROWS)
    parser.add_argument("--exclude-column", action="append", default=[], help="A column not to give the model (e.g. the label)")
    parser.add_argument("--params", help="JSON object of inference parameters")
    args = parser.parse_args(argv)
    reporter = _Reporter(sys.stderr)
    stop = [False]

    def request_stop(signum, frame):
        stop[0] = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    started = time.monotonic()
    try:
        model = load_pyfunc(args.model_dir)
    except Exception as e:
        reporter.emit("error", error_code="LOAD_ERROR", message=getattr(e, "message", None) or str(e))
        return 1
    signature = model.signature
    reporter.emit("loaded", flavor=model.flavor, input_kind=model.input_kind, seconds=round(time.monotonic() - started, 4),
                  columns=signature.input_names() if signature is not None else None)
    began = time.monotonic()
    try:
        rows_in, rows_out = score_file(
            model, os.path.abspath(args.input), os.path.abspath(args.output), args.input_format, args.output_format,
            args.prediction_column, max(1, args.batch_rows), args.exclude_column,
            json.loads(args.params) if args.params else None, reporter, lambda: stop[0])
    except Stopped:
        reporter.emit("stopped", message="Scoring was stopped; no output was written.")
        return 130
    except SchemaError as e:
        reporter.emit("error", error_code="SCHEMA_MISMATCH", message=str(e), missing=e.missing)
        return 2
    except InputError as e:
        reporter.emit("error", error_code="BAD_INPUT", message=str(e))
        return 2
    except (IOError, OSError) as e:
        reporter.emit("error", error_code="IO_ERROR", message=str(e))
        return 1
    except Exception as e:
        reporter.emit("error", error_code="MODEL_ERROR", message="{}: {}".format(type(e).__name__, e))
        return 1
    seconds = time.monotonic() - began
    reporter.emit("done", input_rows=rows_in, output_rows=rows_out, seconds=round(seconds, 4),
                  output=os.path.abspath(args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
