"""The ``loader_module`` of Trackside's ``trackside.pickle`` flavor, so MLflow can load these models too.

``mlflow.pyfunc.load_model`` imports this module (when ``trackside`` is importable) and calls
``_load_pyfunc(<model dir>/model.pkl)``; the object returned takes MLflow's pandas DataFrame and hands
the model what it was logged to take (records, columns, rows, numpy or the DataFrame itself).
"""

import os

from .pyfunc import load_pyfunc


class _MlflowWrapper(object):
    def __init__(self, model):
        self.model = model

    def predict(self, model_input, params=None):
        return self.model.predict(model_input, params)


def _load_pyfunc(path):
    folder = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    return _MlflowWrapper(load_pyfunc(folder))
