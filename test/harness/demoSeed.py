"""Logs the demo workspace's data through MLflow's REST API with the bundled `trackside` client.

Run by `npm start` (test/harness/demoWorkspace.mjs) against a `trackside server` on the demo store,
with MLFLOW_TRACKING_URI / MLFLOW_TRACKING_TOKEN set and src/python on PYTHONPATH.
"""
import math
import random

import trackside as mlflow

random.seed(7)
client = mlflow.TracksideClient()


def train_curve(lr, depth, epochs=60):
    """A plausible training curve: loss falls, AUC rises, with noise."""
    for epoch in range(epochs):
        progress = 1 - math.exp(-epoch * lr * 2)
        loss = 0.75 * (1 - progress) + 0.12 + random.gauss(0, 0.01) + 0.02 / depth
        auc = 0.62 + 0.3 * progress - 0.01 * abs(depth - 6) + random.gauss(0, 0.004)
        mlflow.log_metrics({"loss": loss, "val_auc": auc}, step=epoch)


mlflow.set_experiment("churn-model")
finished = []
for lr, depth in [(0.1, 4), (0.05, 6), (0.02, 8), (0.2, 3)]:
    with mlflow.start_run(run_name=f"gbm-lr{lr}-d{depth}") as run:
        mlflow.log_params({"lr": lr, "max_depth": depth, "model": "gbm", "features": 42})
        mlflow.set_tags({"team": "growth", "mlflow.source.name": "train.py"})
        mlflow.log_input({"name": "customers-2026-10", "digest": "a1b2c3d4", "source": "data/reference.csv",
                          "source_type": "local"}, context="training")
        train_curve(lr, depth)
        mlflow.log_text("feature importance: tenure 0.31, plan 0.22, support_calls 0.18\n", "report/importance.txt")
        mlflow.log_dict({"lr": lr, "max_depth": depth}, "config.json")
        finished.append(run.info.run_id)

with mlflow.start_run(run_name="depth-sweep") as sweep:
    mlflow.log_param("search", "grid")
    for depth in (2, 4, 6):
        with mlflow.start_run(run_name=f"sweep-depth-{depth}", nested=True):
            mlflow.log_params({"max_depth": depth, "lr": 0.05})
            train_curve(0.05, depth, epochs=30)

try:
    with mlflow.start_run(run_name="gbm-broken-features"):
        mlflow.log_params({"lr": 0.1, "max_depth": 4})
        train_curve(0.1, 4, epochs=10)
        raise RuntimeError("feature 'plan' missing in this extract")
except RuntimeError:
    pass

mlflow.set_experiment("fraud-detector")
for threshold in (0.3, 0.5, 0.7):
    with mlflow.start_run(run_name=f"logreg-t{threshold}"):
        mlflow.log_params({"threshold": threshold, "C": 1.0, "model": "logreg"})
        for epoch in range(40):
            mlflow.log_metric("precision", 0.7 + 0.2 * threshold - 0.1 * math.exp(-epoch / 8), step=epoch)
            mlflow.log_metric("recall", 0.95 - 0.4 * threshold + 0.05 * math.exp(-epoch / 8), step=epoch)

for version_run in finished[:3]:
    mlflow.register_model(f"runs:/{version_run}/model", "churn")
client.set_registered_model_alias("churn", "champion", "2")
client.set_registered_model_alias("churn", "challenger", "3")
client.transition_model_version_stage("churn", "1", "Archived")
client.transition_model_version_stage("churn", "2", "Production")
client.update_registered_model("churn", description="Predicts customer churn within 30 days.")
print("demo data logged")
