"""MLflow Models for the Trackside client: log, save and load models, score files, serve them.

    import trackside
    info = trackside.log_model(model, "model", input_example=rows[:5], registered_model_name="churn")
    loaded = trackside.load_model("models:/churn@champion")
    loaded.predict(rows)

Command lines: ``python3 -m trackside.models.score`` (batch scoring of CSV / JSON lines) and
``python3 -m trackside.models.serve`` (MLflow's scoring protocol on 127.0.0.1).
"""

from .loading import download_model, load_model
from .mlmodel import MLmodel
from .model_saving import ModelInfo, log_model, save_model
from .pyfunc import PyFuncModel, load_pyfunc
from .signature import ModelSignature, infer_signature

__all__ = ["MLmodel", "ModelInfo", "ModelSignature", "PyFuncModel", "download_model", "infer_signature", "load_model",
           "load_pyfunc", "log_model", "save_model"]
