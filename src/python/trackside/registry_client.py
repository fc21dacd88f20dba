"""The model registry half of ``TracksideClient`` (``MlflowClient``'s registry methods).

Registered models, model versions, stages, aliases and tags over MLflow's REST endpoints
``/api/2.0/mlflow/registered-models/*`` and ``/api/2.0/mlflow/model-versions/*``.
"""

import time

from .entities import ModelVersion, PagedList, RegisteredModel
from .exceptions import TracksideException


def _tags(tags):
    return [{"key": k, "value": str(v)} for k, v in (tags or {}).items()]


class RegistryMethods(object):
    """Mixed into ``TracksideClient``; needs its ``_call(method, path, body=None, query=None)``."""

    # ---- registered models --------------------------------------------------------------------

    def create_registered_model(self, name, tags=None, description=None):
        body = {"name": name, "tags": _tags(tags)}
        if description is not None:
            body["description"] = description
        return RegisteredModel.from_json(self._call("POST", "registered-models/create", body)["registered_model"])

    def get_registered_model(self, name):
        return RegisteredModel.from_json(self._call("GET", "registered-models/get", query={"name": name})["registered_model"])

    def rename_registered_model(self, name, new_name):
        answer = self._call("POST", "registered-models/rename", {"name": name, "new_name": new_name})
        return RegisteredModel.from_json(answer["registered_model"])

    def update_registered_model(self, name, description=None):
        body = {"name": name}
        if description is not None:
            body["description"] = description
        return RegisteredModel.from_json(self._call("PATCH", "registered-models/update", body)["registered_model"])

    def delete_registered_model(self, name):
        self._call("DELETE", "registered-models/delete", {"name": name})

    def search_registered_models(self, filter_string=None, max_results=100, order_by=None, page_token=None):
        query = {"max_results": int(max_results), "filter": filter_string or None, "order_by": list(order_by or []), "page_token": page_token}
        answer = self._call("GET", "registered-models/search", query=query)
        return PagedList([RegisteredModel.from_json(m) for m in answer.get("registered_models", [])], answer.get("next_page_token"))

    def get_latest_versions(self, name, stages=None):
        """The latest version in each stage (of ``stages``, or of every stage)."""
        body = {"name": name}
        if stages:
            body["stages"] = list(stages)
        try:
            answer = self._call("POST", "registered-models/get-latest-versions", body)
        except TracksideException as e:
            # MLflow's client falls back to the GET form only on a JSON ENDPOINT_NOT_FOUND.
            if e.error_code != "ENDPOINT_NOT_FOUND":
                raise
            answer = self._call("GET", "registered-models/get-latest-versions", query=body)
        return [ModelVersion.from_json(v) for v in answer.get("model_versions", [])]

    def set_registered_model_tag(self, name, key, value):
        self._call("POST", "registered-models/set-tag", {"name": name, "key": key, "value": str(value)})

    def delete_registered_model_tag(self, name, key):
        self._call("DELETE", "registered-models/delete-tag", {"name": name, "key": key})

    # ---- aliases ------------------------------------------------------------------------------

    def set_registered_model_alias(self, name, alias, version):
        self._call("POST", "registered-models/alias", {"name": name, "alias": alias, "version": str(version)})

    def delete_registered_model_alias(self, name, alias):
        self._call("DELETE", "registered-models/alias", {"name": name, "alias": alias})

    def get_model_version_by_alias(self, name, alias):
        answer = self._call("GET", "registered-models/alias", query={"name": name, "alias": alias})
        return ModelVersion.from_json(answer["model_version"])

    # ---- model versions -----------------------------------------------------------------------

    def create_model_version(self, name, source, run_id=None, tags=None, run_link=None, description=None,
                             await_creation_for=300):
        """Creates a version; waits (up to ``await_creation_for`` s) while it is PENDING_REGISTRATION."""
        body = {"name": name, "source": str(source), "tags": _tags(tags)}
        for key, value in (("run_id", run_id), ("run_link", run_link), ("description", description)):
            if value is not None:
                body[key] = value
        version = ModelVersion.from_json(self._call("POST", "model-versions/create", body)["model_version"])
        deadline = time.monotonic() + (await_creation_for or 0)
        while version.status == "PENDING_REGISTRATION" and time.monotonic() < deadline:
            time.sleep(0.5)
            version = self.get_model_version(name, version.version)
        return version

    def get_model_version(self, name, version):
        answer = self._call("GET", "model-versions/get", query={"name": name, "version": str(version)})
        return ModelVersion.from_json(answer["model_version"])

    def update_model_version(self, name, version, description=None):
        body = {"name": name, "version": str(version)}
        if description is not None:
            body["description"] = description
        return ModelVersion.from_json(self._call("PATCH", "model-versions/update", body)["model_version"])

    def delete_model_version(self, name, version):
        self._call("DELETE", "model-versions/delete", {"name": name, "version": str(version)})

    def transition_model_version_stage(self, name, version, stage, archive_existing_versions=False):
        body = {"name": name, "version": str(version), "stage": stage, "archive_existing_versions": bool(archive_existing_versions)}
        return ModelVersion.from_json(self._call("POST", "model-versions/transition-stage", body)["model_version"])

    def search_model_versions(self, filter_string=None, max_results=10000, order_by=None, page_token=None):
        query = {"max_results": int(max_results), "filter": filter_string or None, "order_by": list(order_by or []), "page_token": page_token}
        answer = self._call("GET", "model-versions/search", query=query)
        return PagedList([ModelVersion.from_json(v) for v in answer.get("model_versions", [])], answer.get("next_page_token"))

    def get_model_version_download_uri(self, name, version):
        return self._call("GET", "model-versions/get-download-uri", query={"name": name, "version": str(version)})["artifact_uri"]

    def _version_in_stage(self, name, version, stage):
        if version is not None and stage is not None:
            raise TracksideException.invalid_parameter_value("version and stage cannot be set together.")
        if version is not None:
            return str(version)
        if stage is None:
            raise TracksideException.invalid_parameter_value("version or stage must be set.")
        latest = self.get_latest_versions(name, stages=[stage])
        if not latest:
            raise TracksideException.invalid_parameter_value("Could not find any model version in {} stage".format(stage))
        return latest[0].version

    def set_model_version_tag(self, name, version=None, key=None, value=None, stage=None):
        version = self._version_in_stage(name, version, stage)
        self._call("POST", "model-versions/set-tag", {"name": name, "version": version, "key": key, "value": str(value)})

    def delete_model_version_tag(self, name, version=None, key=None, stage=None):
        version = self._version_in_stage(name, version, stage)
        self._call("DELETE", "model-versions/delete-tag", {"name": name, "version": version, "key": key})
