"""Errors raised by the Trackside client, shaped like MLflow's ``MlflowException``.

``TracksideException`` carries ``error_code`` (an MLflow ``ErrorCode`` name such as
``RESOURCE_DOES_NOT_EXIST``) and ``message``; ``str(e)`` reads like MLflow's ``RestException``:
``"RESOURCE_DOES_NOT_EXIST: Run with id=... not found"``. ``MlflowException`` and ``RestException``
are aliases so that ``except mlflow.exceptions.MlflowException`` keeps working after
``import trackside as mlflow``.
"""

# MLflow's ERROR_CODE_TO_HTTP_STATUS (mlflow/exceptions.py); any other code is a 500.
_HTTP_STATUS = {
    "INVALID_PARAMETER_VALUE": 400,
    "RESOURCE_ALREADY_EXISTS": 400,
    "BAD_REQUEST": 400,
    "RESOURCE_DOES_NOT_EXIST": 404,
    "ENDPOINT_NOT_FOUND": 404,
    "NOT_FOUND": 404,
    "UNAUTHENTICATED": 401,
    "CUSTOMER_UNAUTHORIZED": 401,
    "PERMISSION_DENIED": 403,
    "ABORTED": 409,
    "RESOURCE_CONFLICT": 409,
    "ALREADY_EXISTS": 409,
    "REQUEST_LIMIT_EXCEEDED": 429,
    "RESOURCE_EXHAUSTED": 429,
    "CANCELLED": 499,
    "INTERNAL_ERROR": 500,
    "INVALID_STATE": 500,
    "DATA_LOSS": 500,
    "NOT_IMPLEMENTED": 501,
    "TEMPORARILY_UNAVAILABLE": 503,
    "DEADLINE_EXCEEDED": 504,
}

# The error code MLflow's client gives a failed response whose body is not MLflow JSON.
_CODE_FOR_STATUS = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "ENDPOINT_NOT_FOUND",
    409: "RESOURCE_CONFLICT",
    429: "REQUEST_LIMIT_EXCEEDED",
    501: "NOT_IMPLEMENTED",
    503: "TEMPORARILY_UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


class TracksideException(Exception):
    """An error from the tracking server or from this client (MLflow's ``MlflowException``)."""

    def __init__(self, message, error_code="INTERNAL_ERROR", http_status=None, json=None):
        self.message = str(message)
        self.error_code = error_code or "INTERNAL_ERROR"
        self.http_status = http_status
        self.json = json
        super().__init__(self.message)

    def get_http_status_code(self):
        """The HTTP status MLflow associates with this error code (or the status received)."""
        if self.http_status is not None:
            return self.http_status
        return _HTTP_STATUS.get(self.error_code, 500)

    @classmethod
    def invalid_parameter_value(cls, message):
        return cls(message, error_code="INVALID_PARAMETER_VALUE")


def error_code_for_status(status):
    """MLflow's error code for an HTTP status whose body carried none."""
    if status in _CODE_FOR_STATUS:
        return _CODE_FOR_STATUS[status]
    return "BAD_REQUEST" if 400 <= status < 500 else "INTERNAL_ERROR"


def rest_exception(body, status):
    """A ``TracksideException`` from an MLflow JSON error body ``{"error_code", "message"}``."""
    code = body.get("error_code") or error_code_for_status(status)
    text = body.get("message") if "message" in body else "Response: " + str(body)
    return TracksideException("{}: {}".format(code, text), error_code=code, http_status=status, json=body)


MlflowException = TracksideException
RestException = TracksideException
