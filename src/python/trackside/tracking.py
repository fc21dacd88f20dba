"""``mlflow.tracking`` look-alike, so ``from trackside.tracking import MlflowClient`` works after a rename."""

from .client import MlflowClient, TracksideClient
from .config import get_tracking_uri, is_tracking_uri_set, set_tracking_uri

__all__ = ["MlflowClient", "TracksideClient", "get_tracking_uri", "is_tracking_uri_set", "set_tracking_uri"]
