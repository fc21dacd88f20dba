"""``load_model(uri)``: a logged or registered model, downloaded and loaded, ready to ``predict``.

URIs: ``runs:/<run_id>/<path>``, ``models:/<name>/<version>``, ``models:/<name>/<stage>``,
``models:/<name>/latest``, ``models:/<name>@<alias>``, ``file:///path`` or a local folder.
"""

import os
import re
import tempfile

from ..artifact_repository import ArtifactRepository
from ..exceptions import TracksideException
from .pyfunc import load_pyfunc


def _improper(uri):
    return TracksideException.invalid_parameter_value(
        "Not a model URI: '{}'. Use runs:/<run_id>/<path>, models:/<name>/<version>, models:/<name>/<stage>, "
        "models:/<name>/latest, models:/<name>@<alias> or a local folder.".format(uri))


def parse_models_uri(uri):
    """``(name, version, stage, alias)`` of a ``models:/`` URI; exactly one of the last three is set ('latest' is a stage)."""
    rest = uri[len("models:"):]
    if not rest.startswith("/") or rest.startswith("//"):
        raise _improper(uri)
    parts = rest[1:].split("/")
    if len(parts) == 2 and parts[0] and parts[1]:
        name, suffix = parts
        if re.match(r"^\d+$", suffix):
            return name, str(int(suffix)), None, None
        return name, None, suffix, None
    if len(parts) == 1 and "@" in parts[0]:
        name, _, alias = parts[0].rpartition("@")
        if name and alias:
            return name, None, None, alias
    raise _improper(uri)


def resolve_model_version(client, uri):
    """The ``ModelVersion`` a ``models:/`` URI designates."""
    name, version, stage, alias = parse_models_uri(uri)
    if version is not None:
        return client.get_model_version(name, version)
    if alias is not None:
        return client.get_model_version_by_alias(name, alias)
    if stage.lower() == "latest":
        versions = client.get_latest_versions(name)
    else:
        versions = client.get_latest_versions(name, stages=[stage])
    if not versions:
        raise TracksideException("No versions of model '{}' {}.".format(
            name, "exist" if stage.lower() == "latest" else "are in stage '{}'".format(stage)), error_code="RESOURCE_DOES_NOT_EXIST")
    return max(versions, key=lambda v: int(v.version))


def _local_path(uri):
    if uri.startswith("file://"):
        from urllib.parse import unquote, urlsplit

        return unquote(urlsplit(uri).path)
    if uri.startswith("file:"):
        return uri[len("file:"):]
    if "://" not in uri and not uri.startswith(("runs:", "models:", "mlflow-artifacts:")):
        return uri
    return None


def download_model(model_uri, dst_path=None, client=None):
    """Downloads the model's folder; returns its local path (the folder itself for local URIs)."""
    uri = str(os.fspath(model_uri))
    local = _local_path(uri)
    if local is not None:
        if not os.path.isdir(local):
            raise TracksideException("No model folder at '{}'.".format(local), error_code="RESOURCE_DOES_NOT_EXIST")
        return os.path.abspath(local)
    if client is None:
        from .. import fluent

        client = fluent._client()
    destination = os.path.abspath(dst_path) if dst_path else tempfile.mkdtemp(prefix="trackside-model-")
    os.makedirs(destination, exist_ok=True)
    if uri.startswith("runs:"):
        rest = uri[len("runs:"):].lstrip("/")
        run_id, _, path = rest.partition("/")
        if not run_id:
            raise _improper(uri)
        return client.download_artifacts(run_id, path.strip("/"), destination)
    if uri.startswith("models:"):
        version = resolve_model_version(client, uri)
        source = client.get_model_version_download_uri(version.name, version.version)
        target = os.path.join(destination, "model")
        os.makedirs(target, exist_ok=True)
        ArtifactRepository(client._transport, source).download_artifacts("", target)
        return target
    raise _improper(uri)


def load_model(model_uri, dst_path=None, client=None):
    """Loads a model by URI (see module doc); returns an object with ``predict(data)``."""
    return load_pyfunc(download_model(model_uri, dst_path=dst_path, client=client))
