"""The fluent API's reads and registry calls: experiments, ``search_runs`` and ``register_model``.

``search_runs`` returns one dict per run with the columns of MLflow's DataFrame (``run_id``,
``experiment_id``, ``status``, ``artifact_uri``, ``start_time``, ``end_time``, ``metrics.<k>``,
``params.<k>``, ``tags.<k>``; every row has every column, NaN/None where a run lacks a key, as pandas
would fill them). ``output_format="pandas"`` gives MLflow's DataFrame when pandas is installed, and
``output_format="list"`` the ``Run`` objects.
"""

import sys

from .entities import ViewType
from .exceptions import TracksideException
from .fluent import _client, _get_experiment_id

SEARCH_MAX_RESULTS_PANDAS = 100000
RUNS_PER_PAGE = 10000


def create_experiment(name, artifact_location=None, tags=None):
    return _client().create_experiment(name, artifact_location, tags)


def get_experiment(experiment_id):
    return _client().get_experiment(experiment_id)


def get_experiment_by_name(name):
    return _client().get_experiment_by_name(name)


def delete_experiment(experiment_id):
    _client().delete_experiment(experiment_id)


def set_experiment_tag(key, value):
    _client().set_experiment_tag(_get_experiment_id(), key, value)


def set_experiment_tags(tags):
    for key, value in tags.items():
        set_experiment_tag(key, value)


def _all_pages(fetch, max_results, page_size):
    """Calls ``fetch(count, token)`` until ``max_results`` items (None = all) or the last page."""
    items = []
    token = None
    while max_results is None or len(items) < max_results:
        count = page_size if max_results is None else min(page_size, max_results - len(items))
        page = fetch(count, token)
        items.extend(page)
        token = page.token
        if not token:
            break
    return items


def search_experiments(view_type=ViewType.ACTIVE_ONLY, max_results=None, filter_string=None, order_by=None):
    client = _client()
    return _all_pages(lambda n, t: client.search_experiments(view_type, n, filter_string, order_by, t), max_results, 1000)


def _run_ids_for(experiment_ids, experiment_names, search_all_experiments):
    no_ids = not experiment_ids
    no_names = not experiment_names
    if not no_ids and not no_names:
        raise TracksideException("Only experiment_ids or experiment_names can be used, but not both", error_code="INVALID_PARAMETER_VALUE")
    if search_all_experiments and no_ids and no_names:
        return [e.experiment_id for e in search_experiments(view_type=ViewType.ACTIVE_ONLY)]
    if no_ids and no_names:
        return [_get_experiment_id()]
    if not no_names:
        ids = []
        for name in experiment_names:
            experiment = get_experiment_by_name(name) if name is not None else None
            if experiment is None:
                import logging

                logging.getLogger("trackside").warning("Cannot retrieve experiment by name %s", name)
            else:
                ids.append(experiment.experiment_id)
        return ids
    return [str(e) for e in ([experiment_ids] if isinstance(experiment_ids, (str, int)) else experiment_ids)]


def _utc(millis):
    if millis is None:
        return None
    import datetime

    return datetime.datetime.fromtimestamp(millis / 1000.0, tz=datetime.timezone.utc)


def runs_to_rows(runs):
    """MLflow's DataFrame columns as a list of dicts (keys sorted within metrics/params/tags)."""
    metric_keys, param_keys, tag_keys = set(), set(), set()
    for run in runs:
        metric_keys.update(run.data.metrics)
        param_keys.update(run.data.params)
        tag_keys.update(run.data.tags)
    rows = []
    for run in runs:
        row = {
            "run_id": run.info.run_id,
            "experiment_id": run.info.experiment_id,
            "status": run.info.status,
            "artifact_uri": run.info.artifact_uri,
            "start_time": _utc(run.info.start_time),
            "end_time": _utc(run.info.end_time),
        }
        for key in sorted(metric_keys):
            row["metrics." + key] = run.data.metrics.get(key, float("nan"))
        for key in sorted(param_keys):
            row["params." + key] = run.data.params.get(key)
        for key in sorted(tag_keys):
            row["tags." + key] = run.data.tags.get(key)
        rows.append(row)
    return rows


def _data_frame(rows):
    try:
        import pandas
    except ImportError:
        raise TracksideException(
            "output_format='pandas' needs pandas, which is not installed: use the default output_format='dicts' "
            "(a list of dicts with the same columns) or install pandas.", error_code="INVALID_PARAMETER_VALUE")
    frame = pandas.DataFrame(rows)
    for column in ("start_time", "end_time"):
        if column in frame:
            frame[column] = pandas.to_datetime(frame[column], utc=True)
    return frame


def search_runs(experiment_ids=None, filter_string="", run_view_type=ViewType.ACTIVE_ONLY,
                max_results=SEARCH_MAX_RESULTS_PANDAS, order_by=None, output_format="dicts",
                search_all_experiments=False, experiment_names=None):
    """Runs matching the filter: a list of dicts (default), a pandas DataFrame, or ``Run`` objects ("list")."""
    ids = _run_ids_for(experiment_ids, experiment_names, search_all_experiments)
    runs = []
    if ids:
        client = _client()
        runs = _all_pages(lambda n, t: client.search_runs(ids, filter_string, run_view_type, n, order_by, t), max_results, RUNS_PER_PAGE)
    if output_format == "list":
        return runs
    if output_format in ("dicts", "records", "dict"):
        return runs_to_rows(runs)
    if output_format == "pandas":
        return _data_frame(runs_to_rows(runs))
    raise ValueError("Unsupported output format: {}. Supported string values are 'dicts', 'pandas' or 'list'".format(output_format))


# ---- model registry -------------------------------------------------------------------------------

def _parse_runs_uri(model_uri):
    rest = model_uri[len("runs:"):].lstrip("/")
    run_id, _, path = rest.partition("/")
    if not run_id:
        raise TracksideException.invalid_parameter_value(
            "Not a valid runs URI: {}. Runs URIs are of the form runs:/<run_id>/run-relative/path/to/artifact".format(model_uri))
    return run_id, path.strip("/")


def register_model(model_uri, name, await_registration_for=300, tags=None):
    """Creates the registered model when missing, then a version from ``model_uri`` (``runs:/<id>/path`` too)."""
    client = _client()
    source, run_id, path = str(model_uri), None, None
    if source.startswith("runs:"):
        run_id, path = _parse_runs_uri(source)
    try:
        client.create_registered_model(name)
        sys.stderr.write("Successfully registered model '{}'.\n".format(name))
    except TracksideException as e:
        if e.error_code not in ("RESOURCE_ALREADY_EXISTS", "ALREADY_EXISTS"):
            raise
        sys.stderr.write("Registered model '{}' already exists. Creating a new version of this model...\n".format(name))
    if run_id is not None:
        source = client.get_artifact_uri(run_id, path or None)
    version = client.create_model_version(name, source, run_id=run_id, tags=tags, await_creation_for=await_registration_for)
    sys.stderr.write("Created version '{}' of model '{}'.\n".format(version.version, version.name))
    return version


def search_registered_models(max_results=None, filter_string=None, order_by=None):
    client = _client()
    return _all_pages(lambda n, t: client.search_registered_models(filter_string, n, order_by, t), max_results, 100)


def search_model_versions(max_results=None, filter_string=None, order_by=None):
    client = _client()
    return _all_pages(lambda n, t: client.search_model_versions(filter_string, n, order_by, t), max_results, 10000)
