"""A run's artifacts, wherever its ``artifact_uri`` points.

* ``mlflow-artifacts:/<exp>/<run>/artifacts`` (what Trackside and ``mlflow server`` hand out): files go
  through the server's artifact proxy, ``PUT``/``GET /api/2.0/mlflow-artifacts/artifacts/<path>``, and
  listings through ``GET /api/2.0/mlflow-artifacts/artifacts?path=``.
* ``file:///abs/path`` or an absolute path: files are copied into (and read from) that folder.
"""

import os
import posixpath
import re
import shutil

from .entities import FileInfo
from .exceptions import TracksideException

PROXY_SCHEME = "mlflow-artifacts:"
PROXY_ENDPOINT = "/api/2.0/mlflow-artifacts/artifacts"


def clean_artifact_path(path):
    """A run-relative POSIX path; refuses absolute paths and ``..`` that would leave the run."""
    if path is None:
        return ""
    text = str(path).replace("\\", "/").strip("/")
    if text in ("", "."):
        return ""
    normalized = posixpath.normpath(text)
    if normalized == ".." or normalized.startswith("../") or re.match(r"^[A-Za-z]:", text):
        raise TracksideException.invalid_parameter_value("Invalid artifact path '{}': it leaves the run's artifact folder.".format(path))
    return normalized


def _local_folder(uri):
    if uri.startswith("file://"):
        from urllib.parse import unquote, urlsplit

        return unquote(urlsplit(uri).path)
    if uri.startswith("file:"):
        return uri[len("file:"):]
    if os.path.isabs(uri):
        return uri
    return None


class ArtifactRepository(object):
    """Upload, list and download for one artifact root URI."""

    def __init__(self, transport, artifact_uri):
        self.transport = transport
        self.artifact_uri = artifact_uri or ""
        self.local_root = None
        self.proxy_root = None
        if self.artifact_uri.startswith(PROXY_SCHEME):
            rest = self.artifact_uri[len(PROXY_SCHEME):]
            if rest.startswith("//"):
                # mlflow-artifacts://host:port/path: the path part, served by this tracking server.
                rest = rest[2:].split("/", 1)[1] if "/" in rest[2:] else ""
            self.proxy_root = rest.strip("/")
        else:
            self.local_root = _local_folder(self.artifact_uri)
        if self.proxy_root is None and self.local_root is None:
            raise TracksideException(
                "Artifact URI '{}' is not supported by the Trackside client: it handles mlflow-artifacts:/ "
                "(the server's proxy) and local folders. Use the mlflow package for cloud stores.".format(self.artifact_uri),
                error_code="INVALID_PARAMETER_VALUE")

    def _proxy_endpoint(self, path):
        from urllib.parse import quote

        full = posixpath.join(self.proxy_root, path) if path else self.proxy_root
        return PROXY_ENDPOINT + "/" + quote(full, safe="/")

    # ---- upload ---------------------------------------------------------------------------------

    def log_file(self, local_file, artifact_file):
        """Stores one local file at the run-relative ``artifact_file``."""
        target = clean_artifact_path(artifact_file)
        if not target:
            raise TracksideException.invalid_parameter_value("An artifact file needs a name.")
        if self.local_root is not None:
            destination = os.path.join(self.local_root, *target.split("/"))
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            shutil.copyfile(local_file, destination)
        else:
            self.transport.upload(self._proxy_endpoint(target), local_file)

    def log_artifact(self, local_path, artifact_path=None):
        """A file goes to ``artifact_path/<name>``; a folder to ``artifact_path/<folder name>/...``."""
        local_path = os.fspath(local_path)
        base = clean_artifact_path(artifact_path)
        name = os.path.basename(os.path.normpath(local_path))
        if os.path.isdir(local_path):
            self.log_artifacts(local_path, posixpath.join(base, name) if base else name)
        elif os.path.isfile(local_path):
            self.log_file(local_path, posixpath.join(base, name) if base else name)
        else:
            raise TracksideException.invalid_parameter_value("Cannot log artifact '{}': no such file or folder.".format(local_path))

    def log_artifacts(self, local_dir, artifact_path=None):
        """Every file under ``local_dir`` (recursively) goes to ``artifact_path/<relative path>``."""
        local_dir = os.fspath(local_dir)
        if not os.path.isdir(local_dir):
            raise TracksideException.invalid_parameter_value("Cannot log artifacts from '{}': it is not a folder.".format(local_dir))
        base = clean_artifact_path(artifact_path)
        for folder, _, files in os.walk(local_dir):
            relative_folder = os.path.relpath(folder, local_dir)
            parts = [] if relative_folder == "." else relative_folder.split(os.sep)
            for name in sorted(files):
                relative = "/".join(parts + [name])
                self.log_file(os.path.join(folder, name), posixpath.join(base, relative) if base else relative)

    # ---- list and download -------------------------------------------------------------------

    def list_artifacts(self, path=None):
        """Direct children of ``path``, with paths relative to the run's artifact root (as MLflow)."""
        relative = clean_artifact_path(path)
        if self.local_root is not None:
            folder = os.path.join(self.local_root, *relative.split("/")) if relative else self.local_root
            if not os.path.isdir(folder):
                return []
            infos = []
            for name in sorted(os.listdir(folder)):
                full = os.path.join(folder, name)
                child = posixpath.join(relative, name) if relative else name
                if os.path.isdir(full):
                    infos.append(FileInfo(child, True, None))
                else:
                    infos.append(FileInfo(child, False, os.path.getsize(full)))
            return infos
        listed = posixpath.join(self.proxy_root, relative) if relative else self.proxy_root
        answer = self.transport.call("GET", PROXY_ENDPOINT, query={"path": listed})
        infos = []
        for entry in answer.get("files", []):
            info = FileInfo.from_json(entry)
            info.path = posixpath.join(relative, info.path) if relative else info.path
            infos.append(info)
        return sorted(infos, key=lambda f: f.path)

    def download_artifacts(self, artifact_path, dst_path):
        """Downloads a file or a whole folder into ``dst_path``; returns the local path."""
        relative = clean_artifact_path(artifact_path)
        listing = self.list_artifacts(relative)
        local = os.path.join(dst_path, *relative.split("/")) if relative else dst_path
        if listing or not relative:
            os.makedirs(local, exist_ok=True)
            for info in listing:
                if info.is_dir:
                    self.download_artifacts(info.path, dst_path)
                else:
                    self._download_file(info.path, os.path.join(dst_path, *info.path.split("/")))
            return local
        self._download_file(relative, local)
        return local

    def _download_file(self, relative, local):
        os.makedirs(os.path.dirname(local) or ".", exist_ok=True)
        if self.local_root is not None:
            source = os.path.join(self.local_root, *relative.split("/"))
            if not os.path.isfile(source):
                raise TracksideException("Artifact '{}' does not exist.".format(relative), error_code="RESOURCE_DOES_NOT_EXIST")
            shutil.copyfile(source, local)
        else:
            self.transport.download(self._proxy_endpoint(relative), local)
