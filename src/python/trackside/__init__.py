"""Trackside's Python client: MLflow's fluent API and ``MlflowClient`` over the REST API, stdlib only.

    import trackside as mlflow          # a drop-in for the functions below

    mlflow.set_experiment("demo")
    with mlflow.start_run(run_name="baseline"):
        mlflow.log_param("alpha", 0.5)
        for step in range(1000):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)   # buffered, sent in batches

Configuration comes from MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN (set in VS Code terminals by the
Trackside extension), MLFLOW_EXPERIMENT_NAME / MLFLOW_EXPERIMENT_ID and MLFLOW_RUN_ID.
"""

from . import entities, exceptions, tracking
from .client import MlflowClient, TracksideClient
from .config import is_tracking_uri_set
from .entities import RunStatus, ViewType
from .exceptions import MlflowException, TracksideException
from .fluent import (
    ActiveRun,
    active_run,
    delete_run,
    delete_tag,
    end_run,
    flush,
    get_artifact_uri,
    get_parent_run,
    get_run,
    get_tracking_uri,
    last_active_run,
    log_artifact,
    log_artifacts,
    log_dict,
    log_input,
    log_metric,
    log_metrics,
    log_param,
    log_params,
    log_text,
    set_experiment,
    set_tag,
    set_tags,
    set_tracking_uri,
    start_run,
)
from .fluent_queries import (
    create_experiment,
    delete_experiment,
    get_experiment,
    get_experiment_by_name,
    register_model,
    search_experiments,
    search_model_versions,
    search_registered_models,
    search_runs,
    set_experiment_tag,
    set_experiment_tags,
)
from .models import load_model, log_model, save_model

__version__ = "0.1.0"
flush_async_logging = flush

__all__ = [
    "ActiveRun", "MlflowClient", "MlflowException", "RunStatus", "TracksideClient", "TracksideException", "ViewType",
    "active_run", "create_experiment", "delete_experiment", "delete_run", "delete_tag", "end_run", "entities",
    "exceptions", "flush", "flush_async_logging", "get_artifact_uri", "get_experiment", "get_experiment_by_name",
    "get_parent_run", "get_run", "get_tracking_uri", "is_tracking_uri_set", "last_active_run", "load_model", "log_artifact",
    "log_artifacts", "log_dict", "log_input", "log_metric", "log_metrics", "log_model", "log_param", "log_params", "log_text",
    "register_model", "save_model", "search_experiments", "search_model_versions", "search_registered_models", "search_runs",
    "set_experiment", "set_experiment_tag", "set_experiment_tags", "set_tag", "set_tags", "set_tracking_uri",
    "start_run", "tracking",
]
