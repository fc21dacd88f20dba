"""Where the client logs to: the tracking URI and the credentials, from calls or the environment.

Read the way MLflow reads them: ``set_tracking_uri`` wins over ``MLFLOW_TRACKING_URI``; the token comes
from ``MLFLOW_TRACKING_TOKEN`` (sent as ``Authorization: Bearer``), or ``MLFLOW_TRACKING_USERNAME`` and
``MLFLOW_TRACKING_PASSWORD`` (basic auth) for an MLflow server that uses them.
"""

import os

from .exceptions import TracksideException

_tracking_uri = None

NO_TRACKING_URI = (
    "No tracking URI is set. Set MLFLOW_TRACKING_URI to the URL Trackside prints "
    "(`trackside server` shows MLFLOW_TRACKING_URI=http://127.0.0.1:PORT; terminals opened in VS Code with "
    "Trackside have it already), or call trackside.set_tracking_uri('http://127.0.0.1:PORT')."
)


def set_tracking_uri(uri):
    """Sets the tracking server URL for this process (``None`` falls back to MLFLOW_TRACKING_URI)."""
    global _tracking_uri
    _tracking_uri = None if uri is None else str(uri)


def get_tracking_uri():
    """The tracking URI in use, or None when neither set_tracking_uri nor MLFLOW_TRACKING_URI gives one."""
    return _tracking_uri or os.environ.get("MLFLOW_TRACKING_URI") or None


def is_tracking_uri_set():
    return get_tracking_uri() is not None


def require_http_uri(uri):
    """The URI without a trailing slash, or a clear error when it is missing or not http(s)."""
    if not uri:
        raise TracksideException(NO_TRACKING_URI, error_code="INVALID_PARAMETER_VALUE")
    text = str(uri).strip()
    lowered = text.lower()
    if lowered.startswith("http://") or lowered.startswith("https://"):
        return text.rstrip("/")
    raise TracksideException(
        "Tracking URI '{}' is not supported by the Trackside client: it logs to a tracking server over "
        "HTTP (http://127.0.0.1:PORT from `trackside server`, or an MLflow server's http(s) URL). "
        "For file or database stores use the mlflow package.".format(text),
        error_code="INVALID_PARAMETER_VALUE",
    )


def default_token():
    return os.environ.get("MLFLOW_TRACKING_TOKEN") or None


def default_basic_auth():
    user = os.environ.get("MLFLOW_TRACKING_USERNAME")
    password = os.environ.get("MLFLOW_TRACKING_PASSWORD")
    if user and password is not None:
        return user, password
    return None


def env_number(name, default, kind=float):
    """A numeric setting from the environment (MLflow's names), or the default when unset or invalid."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return kind(raw)
    except ValueError:
        return default


def env_flag(name):
    return (os.environ.get(name) or "").strip().lower() in ("1", "true", "yes")
