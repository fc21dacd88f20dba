"""MLflow's fluent API: an active run per process, and log calls that go to it.

Same names and behaviour as ``mlflow.tracking.fluent`` for what it covers. Metrics are buffered (see
metric_buffer.py) and reach the server in log-batch requests; params and tags are sent at once, so a
param conflict raises from the ``log_param`` call itself, as in MLflow. Differences from MLflow: the run
left open when the interpreter exits ends FAILED (not FINISHED) if an uncaught exception ended the script.
"""

import atexit
import os
import posixpath
import re
import sys
import threading

from . import config
from .client import TracksideClient, metric_json, now_millis
from .entities import LifecycleStage, Run, RunStatus
from .exceptions import TracksideException
from .metric_buffer import MetricBuffer, interval_from_environment

PARENT_RUN_ID_TAG = "mlflow.parentRunId"
RUN_NAME_TAG = "mlflow.runName"
RUN_NOTE_TAG = "mlflow.note.content"

_active_run_stack = []
_active_experiment_id = None
_last_active_run_id = None
_client_cache = [None, None]  # [settings key, client]
_buffer = None
_state_lock = threading.RLock()
_uncaught_exception = [False]
_KEY_PATTERN = re.compile(r"^[/\w.\- ]*$")


class ActiveRun(Run):
    """The run ``start_run`` returns; ``with`` ends it FINISHED, or FAILED when the block raises."""

    def __init__(self, run):
        Run.__init__(self, run.info, run.data, run.inputs)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        end_run(RunStatus.to_string(RunStatus.FINISHED if exc_type is None else RunStatus.FAILED))
        return exc_type is None


def _client():
    """The client for the current settings (rebuilt when the tracking URI or token changes)."""
    key = (config.get_tracking_uri(), config.default_token(), config.default_basic_auth())
    with _state_lock:
        if _client_cache[1] is None or _client_cache[0] != key:
            _client_cache[0], _client_cache[1] = key, TracksideClient(key[0], key[1])
        return _client_cache[1]


def _metric_buffer():
    global _buffer
    with _state_lock:
        if _buffer is None:
            _buffer = MetricBuffer(lambda run_id, points: _client().log_batch_json(run_id, points), interval=interval_from_environment())
        return _buffer


def set_tracking_uri(uri):
    """Sets the tracking server; metrics still buffered for the previous one are sent there first."""
    if _buffer is not None and _buffer.pending_count:
        _buffer.flush()
    config.set_tracking_uri(uri)


def get_tracking_uri():
    return config.get_tracking_uri()


def flush():
    """Sends every buffered metric point now (raises the first error, if any)."""
    if _buffer is not None:
        _buffer.flush()


# ---- experiments --------------------------------------------------------------------------------

def set_experiment(experiment_name=None, experiment_id=None, name=None):
    """Makes an experiment active (creating it by name when missing); returns the ``Experiment``."""
    experiment_name = experiment_name if experiment_name is not None else name
    if (experiment_name is None) == (experiment_id is None):
        raise TracksideException("Must specify exactly one of: `experiment_id` or `experiment_name`.", error_code="INVALID_PARAMETER_VALUE")
    client = _client()
    if experiment_id is None:
        experiment = client.get_experiment_by_name(experiment_name)
        if experiment is None:
            experiment = client.get_experiment(client.create_experiment(experiment_name))
    else:
        try:
            experiment = client.get_experiment(str(experiment_id))
        except TracksideException as e:
            if e.error_code != "RESOURCE_DOES_NOT_EXIST":
                raise
            raise TracksideException("Experiment with ID '{}' does not exist.".format(experiment_id), error_code="RESOURCE_DOES_NOT_EXIST")
    if experiment.lifecycle_stage != LifecycleStage.ACTIVE:
        raise TracksideException(
            "Cannot set a deleted experiment '{}' as the active experiment. You can restore the experiment, or "
            "permanently delete the experiment to create a new one.".format(experiment.name),
            error_code="INVALID_PARAMETER_VALUE")
    global _active_experiment_id
    _active_experiment_id = experiment.experiment_id
    return experiment


def _experiment_id_from_env():
    name = os.environ.get("MLFLOW_EXPERIMENT_NAME")
    experiment_id = os.environ.get("MLFLOW_EXPERIMENT_ID")
    client = _client()
    if name:
        experiment = client.get_experiment_by_name(name)
        if experiment is None:
            return client.create_experiment(name)
        if experiment_id and experiment_id != experiment.experiment_id:
            raise TracksideException(
                "The provided MLFLOW_EXPERIMENT_ID environment variable value `{}` does not match the experiment id "
                "`{}` for experiment name `{}`".format(experiment_id, experiment.experiment_id, name),
                error_code="INVALID_PARAMETER_VALUE")
        return experiment.experiment_id
    if experiment_id:
        try:
            return client.get_experiment(experiment_id).experiment_id
        except TracksideException as e:
            raise TracksideException(
                "The provided MLFLOW_EXPERIMENT_ID environment variable value `{}` does not exist in the tracking "
                "server. Provide a valid experiment_id.".format(experiment_id), error_code="INVALID_PARAMETER_VALUE") from e
    return None


def _get_experiment_id():
    return _active_experiment_id or _experiment_id_from_env() or "0"


# ---- runs ---------------------------------------------------------------------------------------

def _default_tags():
    """MLflow's default run context: mlflow.user, mlflow.source.name, mlflow.source.type."""
    try:
        import getpass

        user = getpass.getuser()
    except Exception:
        user = "unknown"
    source = sys.argv[0] if sys.argv and sys.argv[0] else "<console>"
    return {"mlflow.user": user, "mlflow.source.name": source, "mlflow.source.type": "LOCAL"}


def _with_description(tags, description):
    tags = dict(tags or {})
    if description:
        if RUN_NOTE_TAG in tags:
            raise TracksideException(
                "Description is already set via the tag {0} in tags.Remove the key {0} from the tags or omit the "
                "description.".format(RUN_NOTE_TAG), error_code="INVALID_PARAMETER_VALUE")
        tags[RUN_NOTE_TAG] = description
    return tags


def start_run(run_id=None, experiment_id=None, run_name=None, nested=False, tags=None, description=None,
              log_system_metrics=None):
    """Starts (or resumes, with ``run_id`` or ``MLFLOW_RUN_ID``) the active run; usable with ``with``."""
    global _active_run_stack
    if _active_run_stack and not nested:
        raise TracksideException(
            "Run with UUID {} is already active. To start a new run, first end the current run with "
            "mlflow.end_run(). To start a nested run, call start_run with nested=True".format(_active_run_stack[0].info.run_id))
    client = _client()
    existing_run_id = run_id
    if not existing_run_id and os.environ.get("MLFLOW_RUN_ID"):
        existing_run_id = os.environ.pop("MLFLOW_RUN_ID")
    if existing_run_id:
        run = client.get_run(existing_run_id)
        if _active_experiment_id is not None and _active_experiment_id != run.info.experiment_id:
            raise TracksideException(
                "Cannot start run with ID {} because active run ID does not match environment run ID. Make sure "
                "--experiment-name or --experiment-id matches experiment set with set_experiment(), or just use "
                "command-line arguments".format(existing_run_id))
        if run.info.lifecycle_stage == LifecycleStage.DELETED:
            raise TracksideException("Cannot start run with ID {} because it is in the deleted state.".format(existing_run_id))
        client.update_run(existing_run_id, status="RUNNING")
        resume_tags = _with_description(tags, description)
        if resume_tags:
            client.log_batch(existing_run_id, tags=resume_tags)
        run = client.get_run(existing_run_id)
    else:
        user_tags = _with_description(tags, description)
        if _active_run_stack:
            user_tags[PARENT_RUN_ID_TAG] = _active_run_stack[-1].info.run_id
        if run_name:
            user_tags[RUN_NAME_TAG] = run_name
        resolved = _default_tags()
        resolved.update({k: str(v) for k, v in user_tags.items()})
        target_experiment = str(experiment_id) if experiment_id is not None else _get_experiment_id()
        run = client.create_run(target_experiment, tags=resolved, run_name=run_name)
    _install_excepthook()
    _active_run_stack.append(ActiveRun(run))
    return _active_run_stack[-1]


def end_run(status="FINISHED"):
    """Ends the active run (buffered metrics are sent first); does nothing when no run is active."""
    global _last_active_run_id
    if not _active_run_stack:
        return
    os.environ.pop("MLFLOW_RUN_ID", None)
    run = _active_run_stack.pop()
    _last_active_run_id = run.info.run_id
    error = None
    try:
        flush()
    except TracksideException as e:
        error = e
    _client().set_terminated(run.info.run_id, RunStatus.to_string(status))
    if error is not None:
        raise error


def active_run():
    return _active_run_stack[-1] if _active_run_stack else None


def last_active_run():
    """The active run, else the last run this process ended (fetched again), else None."""
    if _active_run_stack:
        return _active_run_stack[-1]
    return get_run(_last_active_run_id) if _last_active_run_id else None


def _get_or_start_run():
    return _active_run_stack[-1] if _active_run_stack else start_run()


def get_run(run_id):
    return _client().get_run(run_id)


def get_parent_run(run_id):
    return _client().get_parent_run(run_id)


def delete_run(run_id):
    _client().delete_run(run_id)


# ---- logging --------------------------------------------------------------------------------------

_checked_keys = set()


def _check_metric_key(key):
    if key in _checked_keys:
        return
    text = str(key)
    if not _KEY_PATTERN.match(text):
        raise TracksideException.invalid_parameter_value(
            "Invalid metric name: '{}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), "
            "spaces ( ), and slashes (/).".format(text))
    if text and (posixpath.normpath(text) != text or text.startswith("/") or text.startswith("..")):
        raise TracksideException.invalid_parameter_value(
            "Invalid metric name: '{}'. Names cannot contain path components that would change a path "
            "(such as '..', '//' or a trailing '/').".format(text))
    if len(_checked_keys) < 10000:
        _checked_keys.add(key)


def log_metric(key, value, step=None, synchronous=None, timestamp=None, run_id=None):
    """Buffers one point; it reaches the server within a second, on ``flush()`` or on ``end_run()``."""
    run_id = run_id or _get_or_start_run().info.run_id
    _check_metric_key(key)
    buffer = _metric_buffer()
    buffer.add(run_id, metric_json(key, value, timestamp or now_millis(), step or 0))
    if synchronous:
        buffer.flush()


def log_metrics(metrics, step=None, synchronous=None, run_id=None, timestamp=None):
    run_id = run_id or _get_or_start_run().info.run_id
    timestamp = timestamp or now_millis()
    buffer = _metric_buffer()
    for key, value in metrics.items():
        _check_metric_key(key)
        buffer.add(run_id, metric_json(key, value, timestamp, step or 0))
    if synchronous:
        buffer.flush()


def log_param(key, value, synchronous=None):
    return _client().log_param(_get_or_start_run().info.run_id, key, value)


def log_params(params, synchronous=None):
    _client().log_batch(_get_or_start_run().info.run_id, params={k: str(v) for k, v in params.items()})


def set_tag(key, value, synchronous=None):
    _client().set_tag(_get_or_start_run().info.run_id, key, value)


def set_tags(tags, synchronous=None):
    _client().log_batch(_get_or_start_run().info.run_id, tags={k: str(v) for k, v in tags.items()})


def delete_tag(key):
    _client().delete_tag(_get_or_start_run().info.run_id, key)


def log_artifact(local_path, artifact_path=None, run_id=None):
    _client().log_artifact(run_id or _get_or_start_run().info.run_id, local_path, artifact_path)


def log_artifacts(local_dir, artifact_path=None, run_id=None):
    _client().log_artifacts(run_id or _get_or_start_run().info.run_id, local_dir, artifact_path)


def log_text(text, artifact_file, run_id=None):
    _client().log_text(run_id or _get_or_start_run().info.run_id, text, artifact_file)


def log_dict(dictionary, artifact_file, run_id=None):
    _client().log_dict(run_id or _get_or_start_run().info.run_id, dictionary, artifact_file)


def log_input(dataset, context=None, tags=None, **fields):
    """Logs a dataset (a name, a dict of Dataset fields, or an mlflow Dataset) as an input of the run."""
    from .datasets import build_dataset_input

    dataset_input = build_dataset_input(dataset, context=context, tags=tags, **fields)
    _client().log_inputs(_get_or_start_run().info.run_id, [dataset_input])
    return dataset_input


def get_artifact_uri(artifact_path=None):
    return _client().get_artifact_uri(_get_or_start_run().info.run_id, artifact_path)


# ---- process lifetime -----------------------------------------------------------------------------

def _install_excepthook():
    if getattr(sys.excepthook, "_trackside", False):
        return
    previous = sys.excepthook

    def hook(exc_type, exc, tb):
        if not issubclass(exc_type, (KeyboardInterrupt, SystemExit)):
            _uncaught_exception[0] = True
        previous(exc_type, exc, tb)

    hook._trackside = True
    sys.excepthook = hook


def _end_runs_at_exit():
    status = "FAILED" if _uncaught_exception[0] else "FINISHED"
    while _active_run_stack:
        run_id = _active_run_stack[-1].info.run_id
        try:
            end_run(status)
        except Exception as e:
            _active_run_stack[:] = [r for r in _active_run_stack if r.info.run_id != run_id]
            sys.stderr.write("trackside: ending run {} at exit failed: {}\n".format(run_id, e))
    if _buffer is not None:
        try:
            _buffer.stop()
        except Exception as e:
            sys.stderr.write("trackside: buffered metrics were not logged at exit: {}\n".format(e))


def _reset_after_fork():
    global _buffer
    if _buffer is not None:
        _buffer = None


atexit.register(_end_runs_at_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
