"""``TracksideClient``: MLflow's ``MlflowClient`` over the REST API, standard library only.

Every method is synchronous (one request, or a few for pagination and large batches), like
``MlflowClient``; the fluent API (``trackside.log_metric``) buffers metrics on top of it. The registry
methods live in ``RegistryMethods`` (registry_client.py).
"""

import json
import os
import tempfile
import time

from . import config
from .artifact_repository import ArtifactRepository
from .entities import Experiment, Metric, PagedList, Param, Run, RunInfo, RunStatus, RunTag, ViewType, encode_double
from .exceptions import TracksideException
from .registry_client import RegistryMethods
from .rest_transport import RestTransport
from .yaml_emitter import to_yaml

API = "/api/2.0/mlflow/"
# POSTs that change nothing when repeated (exact duplicate metric points are ignored by Trackside).
IDEMPOTENT_POSTS = frozenset([
    "runs/log-batch", "runs/log-metric", "runs/log-parameter", "runs/set-tag", "runs/update", "runs/search",
    "experiments/search", "experiments/set-experiment-tag", "registered-models/get-latest-versions",
    "registered-models/set-tag", "model-versions/set-tag", "registered-models/alias",
])
MAX_BATCH_METRICS = 1000
MAX_BATCH_PARAMS = 100
MAX_BATCH_TAGS = 100
MAX_BATCH_ENTITIES = 1000
MAX_BATCH_BYTES = 900000  # below the server's 1,000,000-byte limit, with room for the envelope
METRIC_HISTORY_PAGE = 25000
_INF = float("inf")


def now_millis():
    return int(time.time() * 1000)


def metric_json(key, value, timestamp, step):
    """One metric point as the REST API takes it; rejects what MLflow rejects before sending."""
    if isinstance(value, (bool, str, bytes)):
        number = None
    else:
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = None
    if number is None:
        raise TracksideException.invalid_parameter_value(
            "Got invalid value {!r} for metric '{}' (timestamp={}). Please specify value as a valid double "
            "(64-bit floating point)".format(value, key, timestamp))
    if number != number or number in (_INF, -_INF):
        number = encode_double(number)
    return {"key": str(key), "value": number, "timestamp": int(timestamp), "step": int(step or 0)}


def _pairs(items, cls):
    """Entities from a dict or a list of entities/tuples (``log_batch`` takes both)."""
    if items is None:
        return []
    if isinstance(items, dict):
        return [cls(k, v) for k, v in items.items()]
    return [item if isinstance(item, cls) or hasattr(item, "key") else cls(*item) for item in items]


def batch_chunks(metrics, params, tags):
    """Splits a batch into requests within MLflow's limits (1000 metrics, 100 params, 100 tags, 1000 in all, < 1 MB)."""
    chunks = []
    current = {"metrics": [], "params": [], "tags": []}
    size = 0
    limits = {"metrics": MAX_BATCH_METRICS, "params": MAX_BATCH_PARAMS, "tags": MAX_BATCH_TAGS}
    for kind, items in (("params", params), ("tags", tags), ("metrics", metrics)):
        for item in items:
            item_size = len(json.dumps(item)) + 1
            count = sum(len(v) for v in current.values())
            if len(current[kind]) >= limits[kind] or count >= MAX_BATCH_ENTITIES or size + item_size > MAX_BATCH_BYTES:
                chunks.append(current)
                current = {"metrics": [], "params": [], "tags": []}
                size = 0
            current[kind].append(item)
            size += item_size
    if any(current.values()):
        chunks.append(current)
    return chunks


class TracksideClient(RegistryMethods):
    """A client of one tracking server (``MlflowClient``'s methods and semantics)."""

    def __init__(self, tracking_uri=None, token=None, registry_uri=None, max_retries=None, timeout=None,
                 backoff_factor=None, backoff_jitter=None):
        self._tracking_uri = str(tracking_uri) if tracking_uri is not None else config.get_tracking_uri()
        self._token = token if token is not None else config.default_token()
        self._options = dict(max_retries=max_retries, timeout=timeout, backoff_factor=backoff_factor, backoff_jitter=backoff_jitter)
        self._transport_instance = None
        self._artifact_uris = {}

    @property
    def tracking_uri(self):
        return self._tracking_uri

    @property
    def _transport(self):
        if self._transport_instance is None:
            basic = None if self._token else config.default_basic_auth()
            self._transport_instance = RestTransport(self._tracking_uri, token=self._token, basic_auth=basic, **self._options)
        return self._transport_instance

    def close(self):
        """Closes the client's kept-alive connections (they also close when the client is collected)."""
        if self._transport_instance is not None:
            self._transport_instance.close_all()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _call(self, method, path, body=None, query=None):
        idempotent = method == "GET" or (method in ("POST", "PUT") and path in IDEMPOTENT_POSTS)
        return self._transport.call(method, API + path, body=body, query=query, idempotent=idempotent)

    # ---- experiments --------------------------------------------------------------------------

    def create_experiment(self, name, artifact_location=None, tags=None):
        body = {"name": name, "tags": [{"key": k, "value": str(v)} for k, v in (tags or {}).items()]}
        if artifact_location:
            body["artifact_location"] = str(artifact_location)
        return str(self._call("POST", "experiments/create", body)["experiment_id"])

    def get_experiment(self, experiment_id):
        return Experiment.from_json(self._call("GET", "experiments/get", query={"experiment_id": str(experiment_id)})["experiment"])

    def get_experiment_by_name(self, name):
        """The experiment, or None when no experiment has that name (as MLflow)."""
        try:
            answer = self._call("GET", "experiments/get-by-name", query={"experiment_name": name})
        except TracksideException as e:
            if e.error_code == "RESOURCE_DOES_NOT_EXIST":
                return None
            raise
        return Experiment.from_json(answer["experiment"])

    def search_experiments(self, view_type=ViewType.ACTIVE_ONLY, max_results=1000, filter_string=None, order_by=None,
                           page_token=None):
        body = {"view_type": ViewType.to_string(view_type), "max_results": int(max_results)}
        if filter_string:
            body["filter"] = filter_string
        if order_by:
            body["order_by"] = list(order_by)
        if page_token:
            body["page_token"] = page_token
        answer = self._call("POST", "experiments/search", body)
        return PagedList([Experiment.from_json(e) for e in answer.get("experiments", [])], answer.get("next_page_token"))

    def delete_experiment(self, experiment_id):
        self._call("POST", "experiments/delete", {"experiment_id": str(experiment_id)})

    def restore_experiment(self, experiment_id):
        self._call("POST", "experiments/restore", {"experiment_id": str(experiment_id)})

    def rename_experiment(self, experiment_id, new_name):
        self._call("POST", "experiments/update", {"experiment_id": str(experiment_id), "new_name": new_name})

    def set_experiment_tag(self, experiment_id, key, value):
        self._call("POST", "experiments/set-experiment-tag", {"experiment_id": str(experiment_id), "key": key, "value": str(value)})

    # ---- runs ---------------------------------------------------------------------------------

    def create_run(self, experiment_id, start_time=None, tags=None, run_name=None):
        tags = {k: str(v) for k, v in (tags or {}).items()}
        body = {
            "experiment_id": str(experiment_id),
            "user_id": tags.get("mlflow.user", "unknown"),
            "start_time": int(start_time) if start_time is not None else now_millis(),
            "tags": [{"key": k, "value": v} for k, v in tags.items()],
        }
        if run_name:
            body["run_name"] = run_name
        run = Run.from_json(self._call("POST", "runs/create", body)["run"])
        self._artifact_uris[run.info.run_id] = run.info.artifact_uri
        return run

    def get_run(self, run_id):
        run = Run.from_json(self._call("GET", "runs/get", query={"run_id": run_id, "run_uuid": run_id})["run"])
        self._artifact_uris[run.info.run_id] = run.info.artifact_uri
        return run

    def get_parent_run(self, run_id):
        parent_id = self.get_run(run_id).data.tags.get("mlflow.parentRunId")
        return self.get_run(parent_id) if parent_id else None

    def update_run(self, run_id, status=None, name=None, end_time=None):
        if status is None and name is None and end_time is None:
            return None
        body = {"run_id": run_id, "run_uuid": run_id}
        if status is not None:
            body["status"] = RunStatus.to_string(status)
        if name is not None:
            body["run_name"] = name
        if end_time is not None:
            body["end_time"] = int(end_time)
        return RunInfo.from_json(self._call("POST", "runs/update", body).get("run_info", {}))

    def set_terminated(self, run_id, status=None, end_time=None):
        self.update_run(run_id, status=status or "FINISHED", end_time=end_time if end_time is not None else now_millis())

    def delete_run(self, run_id):
        self._call("POST", "runs/delete", {"run_id": run_id})

    def restore_run(self, run_id):
        self._call("POST", "runs/restore", {"run_id": run_id})

    def search_runs(self, experiment_ids, filter_string="", run_view_type=ViewType.ACTIVE_ONLY, max_results=1000,
                    order_by=None, page_token=None):
        if isinstance(experiment_ids, (str, int)):
            experiment_ids = [experiment_ids]
        body = {
            "experiment_ids": [str(e) for e in experiment_ids],
            "filter": filter_string or "",
            "run_view_type": ViewType.to_string(run_view_type),
            "max_results": int(max_results),
        }
        if order_by:
            body["order_by"] = list(order_by)
        if page_token:
            body["page_token"] = page_token
        answer = self._call("POST", "runs/search", body)
        return PagedList([Run.from_json(r) for r in answer.get("runs", [])], answer.get("next_page_token"))

    # ---- metrics, params, tags ----------------------------------------------------------------

    def log_metric(self, run_id, key, value, timestamp=None, step=None, synchronous=None):
        timestamp = timestamp if timestamp is not None else now_millis()
        point = metric_json(key, value, timestamp, step)
        point.update(run_id=run_id, run_uuid=run_id)
        self._call("POST", "runs/log-metric", point)

    def log_param(self, run_id, key, value, synchronous=None):
        self._call("POST", "runs/log-parameter", {"run_id": run_id, "run_uuid": run_id, "key": key, "value": str(value)})
        return value

    def set_tag(self, run_id, key, value, synchronous=None):
        self._call("POST", "runs/set-tag", {"run_id": run_id, "run_uuid": run_id, "key": key, "value": str(value)})

    def delete_tag(self, run_id, key):
        self._call("POST", "runs/delete-tag", {"run_id": run_id, "key": key})

    def log_batch(self, run_id, metrics=(), params=(), tags=(), synchronous=None):
        """Logs entities in as many log-batch requests as MLflow's limits need."""
        metric_items = [m if isinstance(m, dict) else metric_json(m.key, m.value, m.timestamp, m.step) for m in metrics or []]
        param_items = [{"key": p.key, "value": str(p.value)} for p in _pairs(params, Param)]
        tag_items = [{"key": t.key, "value": str(t.value)} for t in _pairs(tags, RunTag)]
        self.log_batch_json(run_id, metric_items, param_items, tag_items)

    def log_batch_json(self, run_id, metrics, params=(), tags=()):
        for chunk in batch_chunks(metrics, params, tags):
            body = {"run_id": run_id}
            body.update({k: v for k, v in chunk.items() if v})
            self._call("POST", "runs/log-batch", body)

    def log_inputs(self, run_id, datasets=None):
        self._call("POST", "runs/log-inputs", {"run_id": run_id, "datasets": [d.to_json() for d in datasets or []]})

    def get_metric_history(self, run_id, key):
        """Every point of one metric, all pages, as ``Metric`` objects."""
        points = []
        token = None
        while True:
            query = {"run_id": run_id, "run_uuid": run_id, "metric_key": key, "max_results": METRIC_HISTORY_PAGE}
            if token:
                query["page_token"] = token
            answer = self._call("GET", "metrics/get-history", query=query)
            points.extend(Metric.from_json(m) for m in answer.get("metrics", []))
            token = answer.get("next_page_token")
            if not token:
                return points

    # ---- artifacts ----------------------------------------------------------------------------

    def _artifact_repository(self, run_id):
        uri = self._artifact_uris.get(run_id)
        if uri is None:
            uri = self.get_run(run_id).info.artifact_uri
        return ArtifactRepository(self._transport, uri)

    def get_artifact_uri(self, run_id, artifact_path=None):
        uri = self._artifact_repository(run_id).artifact_uri
        return uri + "/" + artifact_path.strip("/") if artifact_path else uri

    def log_artifact(self, run_id, local_path, artifact_path=None):
        self._artifact_repository(run_id).log_artifact(local_path, artifact_path)

    def log_artifacts(self, run_id, local_dir, artifact_path=None):
        self._artifact_repository(run_id).log_artifacts(local_dir, artifact_path)

    def list_artifacts(self, run_id, path=None):
        """``FileInfo`` entries directly under ``path`` (paths relative to the run's artifact root)."""
        return self._artifact_repository(run_id).list_artifacts(path)

    def download_artifacts(self, run_id, path, dst_path=None):
        """Downloads a file or folder; returns its local path (in a new temporary folder by default)."""
        destination = os.fspath(dst_path) if dst_path is not None else tempfile.mkdtemp(prefix="trackside-")
        os.makedirs(destination, exist_ok=True)
        return self._artifact_repository(run_id).download_artifacts(path, os.path.abspath(destination))

    def log_text(self, run_id, text, artifact_file):
        self._log_content(run_id, text.encode("utf-8"), artifact_file)

    def log_dict(self, run_id, dictionary, artifact_file):
        """JSON, or YAML for ``.yml``/``.yaml`` names (MLflow's rule); YAML keys sorted as PyYAML's dump does."""
        extension = os.path.splitext(artifact_file)[1].lower()
        if extension in (".yml", ".yaml"):
            text = to_yaml(dictionary, sort_keys=True)
        else:
            text = json.dumps(dictionary, indent=2)
        self._log_content(run_id, text.encode("utf-8"), artifact_file)

    def _log_content(self, run_id, content, artifact_file):
        folder = tempfile.mkdtemp(prefix="trackside-")
        try:
            local = os.path.join(folder, os.path.basename(artifact_file) or "artifact")
            with open(local, "wb") as handle:
                handle.write(content)
            self._artifact_repository(run_id).log_file(local, artifact_file)
        finally:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)


MlflowClient = TracksideClient
