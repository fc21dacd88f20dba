"""MLflow's entities with MLflow's attribute names: ``run.info.run_id``, ``run.data.metrics``,
``experiment.experiment_id``, ``model_version.version``, ``model_version.aliases``, ...

Each class reads the REST JSON of its message (``from_json``) and writes it back (``to_json``).
"""

import math


def decode_double(value):
    """A protobuf JSON double: numbers, or the strings "NaN", "Infinity", "-Infinity"."""
    if value is None:
        return None
    return float(value)


def encode_double(value):
    """A double as MLflow's client sends it: NaN and +/-inf as protobuf JSON strings."""
    number = float(value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    return number


def _int_or_none(value):
    return None if value is None else int(value)


class _Entity(object):
    """Value equality, a readable repr and ``to_dictionary()`` for the small entity classes."""

    def __eq__(self, other):
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = None

    def __repr__(self):
        fields = ", ".join("{}={!r}".format(k, v) for k, v in sorted(self.__dict__.items()) if not k.startswith("_"))
        return "<{}: {}>".format(type(self).__name__, fields)

    def to_dictionary(self):
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}


class ViewType(object):
    """Which runs or experiments a search returns (``mlflow.entities.ViewType``)."""

    ACTIVE_ONLY, DELETED_ONLY, ALL = 1, 2, 3
    _NAMES = {1: "ACTIVE_ONLY", 2: "DELETED_ONLY", 3: "ALL"}

    @classmethod
    def to_string(cls, view_type):
        if isinstance(view_type, str):
            if view_type.upper() in cls._NAMES.values():
                return view_type.upper()
        elif view_type in cls._NAMES:
            return cls._NAMES[view_type]
        raise ValueError("Invalid view type {!r}: use ViewType.ACTIVE_ONLY, DELETED_ONLY or ALL".format(view_type))

    @classmethod
    def from_string(cls, name):
        for number, text in cls._NAMES.items():
            if text == str(name).upper():
                return number
        raise ValueError("Invalid view type {!r}".format(name))


class RunStatus(object):
    """A run's status (``mlflow.entities.RunStatus``); the REST API uses the names."""

    RUNNING, SCHEDULED, FINISHED, FAILED, KILLED = 1, 2, 3, 4, 5
    _NAMES = {1: "RUNNING", 2: "SCHEDULED", 3: "FINISHED", 4: "FAILED", 5: "KILLED"}

    @classmethod
    def to_string(cls, status):
        if isinstance(status, str) and status.upper() in cls._NAMES.values():
            return status.upper()
        if status in cls._NAMES:
            return cls._NAMES[status]
        raise ValueError("Invalid run status {!r}: expected one of {}".format(status, ", ".join(cls._NAMES.values())))

    @classmethod
    def from_string(cls, name):
        for number, text in cls._NAMES.items():
            if text == str(name).upper():
                return number
        raise ValueError("Invalid run status {!r}".format(name))

    @classmethod
    def is_terminated(cls, status):
        return cls.to_string(status) in ("FINISHED", "FAILED", "KILLED")


class LifecycleStage(object):
    ACTIVE = "active"
    DELETED = "deleted"


class SourceType(object):
    NOTEBOOK, JOB, PROJECT, LOCAL, UNKNOWN = 1, 2, 3, 4, 1000
    _NAMES = {1: "NOTEBOOK", 2: "JOB", 3: "PROJECT", 4: "LOCAL", 1000: "UNKNOWN"}

    @classmethod
    def to_string(cls, source_type):
        return cls._NAMES[source_type]


class PagedList(list):
    """A page of results with the server's ``token`` for the next page (None on the last)."""

    def __init__(self, items, token):
        super(PagedList, self).__init__(items)
        self.token = token or None


class Metric(_Entity):
    def __init__(self, key, value, timestamp, step):
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.step = step

    @classmethod
    def from_json(cls, js):
        return cls(js.get("key"), decode_double(js.get("value")), int(js.get("timestamp", 0)), int(js.get("step", 0)))

    def to_json(self):
        return {"key": self.key, "value": encode_double(self.value), "timestamp": int(self.timestamp), "step": int(self.step or 0)}


class _KeyValue(_Entity):
    def __init__(self, key, value):
        self.key = key
        self.value = value

    @classmethod
    def from_json(cls, js):
        return cls(js.get("key"), js.get("value", ""))

    def to_json(self):
        return {"key": self.key, "value": str(self.value)}


class Param(_KeyValue):
    pass


class RunTag(_KeyValue):
    pass


class ExperimentTag(_KeyValue):
    pass


class InputTag(_KeyValue):
    pass


def _tag_dict(items):
    return {t.get("key"): t.get("value", "") for t in items or []}


class FileInfo(_Entity):
    def __init__(self, path, is_dir, file_size):
        self.path = path
        self.is_dir = is_dir
        self.file_size = file_size

    @classmethod
    def from_json(cls, js):
        return cls(js.get("path"), bool(js.get("is_dir", False)), _int_or_none(js.get("file_size")))


class RunInfo(_Entity):
    def __init__(self, run_id, experiment_id, user_id, status, start_time, end_time, lifecycle_stage,
                 artifact_uri=None, run_name=None):
        self.run_id = run_id
        self.run_uuid = run_id
        self.experiment_id = experiment_id
        self.user_id = user_id
        self.status = status
        self.start_time = start_time
        self.end_time = end_time
        self.lifecycle_stage = lifecycle_stage
        self.artifact_uri = artifact_uri
        self.run_name = run_name

    @classmethod
    def from_json(cls, js):
        return cls(
            run_id=js.get("run_id") or js.get("run_uuid"),
            experiment_id=js.get("experiment_id"),
            user_id=js.get("user_id", ""),
            status=js.get("status", "RUNNING"),
            start_time=_int_or_none(js.get("start_time")),
            end_time=_int_or_none(js.get("end_time")),
            lifecycle_stage=js.get("lifecycle_stage", LifecycleStage.ACTIVE),
            artifact_uri=js.get("artifact_uri"),
            run_name=js.get("run_name"),
        )


class RunData(_Entity):
    """Latest metric values, params and tags as dicts (``run.data.metrics["rmse"]``)."""

    def __init__(self, metrics=None, params=None, tags=None):
        self._metric_objs = list(metrics or [])
        self.metrics = {m.key: m.value for m in self._metric_objs}
        self.params = {p.key: p.value for p in params or []}
        self.tags = {t.key: t.value for t in tags or []}

    @classmethod
    def from_json(cls, js):
        return cls(
            metrics=[Metric.from_json(m) for m in js.get("metrics", [])],
            params=[Param.from_json(p) for p in js.get("params", [])],
            tags=[RunTag.from_json(t) for t in js.get("tags", [])],
        )


class Dataset(_Entity):
    def __init__(self, name, digest, source_type, source, schema=None, profile=None):
        self.name = name
        self.digest = digest
        self.source_type = source_type
        self.source = source
        self.schema = schema
        self.profile = profile

    @classmethod
    def from_json(cls, js):
        return cls(js.get("name"), js.get("digest"), js.get("source_type"), js.get("source"), js.get("schema"), js.get("profile"))

    def to_json(self):
        out = {"name": self.name, "digest": self.digest, "source_type": self.source_type, "source": self.source}
        if self.schema is not None:
            out["schema"] = self.schema
        if self.profile is not None:
            out["profile"] = self.profile
        return out


class DatasetInput(_Entity):
    def __init__(self, dataset, tags=None):
        self.dataset = dataset
        self.tags = list(tags or [])

    @classmethod
    def from_json(cls, js):
        return cls(Dataset.from_json(js.get("dataset", {})), [InputTag.from_json(t) for t in js.get("tags", [])])

    def to_json(self):
        return {"tags": [t.to_json() for t in self.tags], "dataset": self.dataset.to_json()}


class RunInputs(_Entity):
    def __init__(self, dataset_inputs=None):
        self.dataset_inputs = list(dataset_inputs or [])

    @classmethod
    def from_json(cls, js):
        return cls([DatasetInput.from_json(d) for d in (js or {}).get("dataset_inputs", [])])


class Run(_Entity):
    """A run: ``info`` (RunInfo), ``data`` (RunData) and ``inputs`` (RunInputs)."""

    def __init__(self, run_info, run_data, run_inputs=None):
        self.info = run_info
        self.data = run_data if run_data is not None else RunData()
        self.inputs = run_inputs if run_inputs is not None else RunInputs()

    @classmethod
    def from_json(cls, js):
        return cls(RunInfo.from_json(js.get("info", {})), RunData.from_json(js.get("data", {})), RunInputs.from_json(js.get("inputs")))


class Experiment(_Entity):
    def __init__(self, experiment_id, name, artifact_location, lifecycle_stage, tags=None,
                 creation_time=None, last_update_time=None):
        self.experiment_id = experiment_id
        self.name = name
        self.artifact_location = artifact_location
        self.lifecycle_stage = lifecycle_stage
        self.tags = dict(tags or {})
        self.creation_time = creation_time
        self.last_update_time = last_update_time

    @classmethod
    def from_json(cls, js):
        return cls(
            js.get("experiment_id"), js.get("name"), js.get("artifact_location"),
            js.get("lifecycle_stage", LifecycleStage.ACTIVE), _tag_dict(js.get("tags")),
            _int_or_none(js.get("creation_time")), _int_or_none(js.get("last_update_time")),
        )


class ModelVersion(_Entity):
    def __init__(self, name, version, creation_timestamp=None, last_updated_timestamp=None, description=None,
                 user_id=None, current_stage=None, source=None, run_id=None, status="READY",
                 status_message=None, tags=None, run_link=None, aliases=None):
        self.name = name
        self.version = version
        self.creation_timestamp = creation_timestamp
        self.last_updated_timestamp = last_updated_timestamp
        self.description = description
        self.user_id = user_id
        self.current_stage = current_stage
        self.source = source
        self.run_id = run_id
        self.status = status
        self.status_message = status_message
        self.tags = dict(tags or {})
        self.run_link = run_link
        self.aliases = list(aliases or [])

    @classmethod
    def from_json(cls, js):
        return cls(
            js.get("name"), str(js.get("version")), _int_or_none(js.get("creation_timestamp")),
            _int_or_none(js.get("last_updated_timestamp")), js.get("description"), js.get("user_id"),
            js.get("current_stage", "None"), js.get("source"), js.get("run_id"), js.get("status", "READY"),
            js.get("status_message"), _tag_dict(js.get("tags")), js.get("run_link"), js.get("aliases", []),
        )


class RegisteredModel(_Entity):
    """A registered model; ``aliases`` maps alias -> version, as in MLflow."""

    def __init__(self, name, creation_timestamp=None, last_updated_timestamp=None, description=None,
                 latest_versions=None, tags=None, aliases=None):
        self.name = name
        self.creation_timestamp = creation_timestamp
        self.last_updated_timestamp = last_updated_timestamp
        self.description = description
        self.latest_versions = list(latest_versions or [])
        self.tags = dict(tags or {})
        self.aliases = dict(aliases or {})

    @classmethod
    def from_json(cls, js):
        return cls(
            js.get("name"), _int_or_none(js.get("creation_timestamp")), _int_or_none(js.get("last_updated_timestamp")),
            js.get("description"), [ModelVersion.from_json(v) for v in js.get("latest_versions", [])],
            _tag_dict(js.get("tags")), {a.get("alias"): str(a.get("version")) for a in js.get("aliases", [])},
        )
