/** What a new alerts.json holds on disk: no rules, so nothing fires before the person saves some. */
export const emptyAlertsJson = '{\n  "rules": []\n}\n';

/** The example put into the editor (unsaved) for a new file: one alert, one retraining trigger, one scheduled run. */
export const exampleAlertsJson = `{
  "rules": [
    {
      "id": "val-loss-high",
      "metric": "val_loss",
      "comparison": ">",
      "threshold": 0.9,
      "scope": { "kind": "all" }
    },
    {
      "id": "retrain-on-drift",
      "metric": "drift.score",
      "comparison": ">",
      "threshold": 0.3,
      "scope": { "kind": "all" },
      "trigger": { "pipeline": "pipelines/train.py", "parameters": { "data_window": "30" } }
    },
    {
      "id": "nightly-retrain",
      "schedule": { "everyMinutes": 1440 },
      "trigger": { "pipeline": "pipelines/train.py", "parameters": { "data_window": "30" } }
    }
  ]
}
`;
