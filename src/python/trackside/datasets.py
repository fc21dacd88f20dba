"""``log_input``'s datasets without ``mlflow.data``: a name, a dict of Dataset fields, or an mlflow Dataset.

The result is MLflow's ``DatasetInput``: ``Dataset(name, digest, source_type, source, schema, profile)``
plus input tags, with the context in the ``mlflow.data.context`` tag. ``source`` follows MLflow's JSON:
``{"uri": ...}`` for local files (source type ``local``), ``{"url": ...}`` for http(s) (``http``),
``{"uri": ...}`` under the URI's scheme otherwise, and ``{}`` (``code``) when no source is given.
"""

import hashlib
import json

from .entities import Dataset, DatasetInput, InputTag
from .exceptions import TracksideException

CONTEXT_TAG = "mlflow.data.context"
_FIELDS = ("name", "digest", "source_type", "source", "schema", "profile")


def _text(value):
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def _source(source, source_type):
    """(source_type, source JSON) from a path, URL, dict or None."""
    if isinstance(source, dict):
        if source_type is None:
            source_type = "http" if "url" in source else "local" if "uri" in source else "code"
        return source_type, json.dumps(source, sort_keys=True)
    if source is None:
        return source_type or "code", "{}"
    text = str(source)
    if text.startswith("{"):
        return source_type or "code", text
    lowered = text.lower()
    if lowered.startswith("http://") or lowered.startswith("https://"):
        return source_type or "http", json.dumps({"url": text})
    if "://" in text:
        return source_type or text.split("://", 1)[0].lower(), json.dumps({"uri": text})
    return source_type or "local", json.dumps({"uri": text})


def _fields_of(dataset):
    if isinstance(dataset, str):
        return {"name": dataset}
    if isinstance(dataset, dict):
        unknown = set(dataset) - set(_FIELDS)
        if unknown:
            raise TracksideException.invalid_parameter_value(
                "Unknown dataset field(s) {}: use {}.".format(", ".join(sorted(unknown)), ", ".join(_FIELDS)))
        return dict(dataset)
    entity = dataset._to_mlflow_entity() if hasattr(dataset, "_to_mlflow_entity") else dataset
    if not hasattr(entity, "name"):
        raise TracksideException.invalid_parameter_value(
            "log_input takes a dataset name, a dict of Dataset fields ({}) or an mlflow Dataset; got {!r}.".format(", ".join(_FIELDS), dataset))
    return {field: getattr(entity, field, None) for field in _FIELDS}


def build_dataset_input(dataset, context=None, tags=None, **overrides):
    """A ``DatasetInput``; keyword ``overrides`` (name, digest, source, ...) replace the dataset's fields."""
    fields = _fields_of(dataset)
    fields.update({k: v for k, v in overrides.items() if v is not None})
    unknown = set(fields) - set(_FIELDS)
    if unknown:
        raise TracksideException.invalid_parameter_value("Unknown dataset field(s): {}.".format(", ".join(sorted(unknown))))
    name = fields.get("name") or "dataset"
    source_type, source = _source(fields.get("source"), fields.get("source_type"))
    schema = _text(fields.get("schema"))
    profile = _text(fields.get("profile"))
    digest = fields.get("digest")
    if not digest:
        canonical = json.dumps([name, source_type, source, schema, profile])
        digest = hashlib.md5(canonical.encode("utf-8")).hexdigest()[:8]
    input_tags = [InputTag(str(k), str(v)) for k, v in (tags or {}).items()]
    if context:
        input_tags.append(InputTag(CONTEXT_TAG, str(context)))
    return DatasetInput(Dataset(str(name), str(digest), str(source_type), source, schema, profile), input_tags)
