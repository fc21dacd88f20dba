"""Small pure-Python models for demos, tests and benchmarks (no numpy, no scikit-learn).

    from trackside.models.demo import LinearModel
    model = LinearModel.fit(records, target="spend")          # least squares on the numeric columns
    trackside.log_model(model, "model", input_example=records[:3], registered_model_name="spend")

``LinearModel`` predicts ``intercept + sum(coefficient * value)`` per record; with ``threshold`` it is a
classifier answering 1 when that score is at least the threshold, else 0.
"""


class LinearModel(object):
    def __init__(self, coefficients, intercept=0.0, threshold=None):
        self.coefficients = dict(coefficients)
        self.intercept = float(intercept)
        self.threshold = threshold

    def predict(self, model_input):
        """Records (a list of dicts) or columns (a dict of lists) in; one prediction per row out."""
        if isinstance(model_input, dict):
            names = list(model_input)
            model_input = [dict(zip(names, row)) for row in zip(*(model_input[n] for n in names))]
        items = list(self.coefficients.items())
        intercept = self.intercept
        scores = []
        for record in model_input:
            total = intercept
            for name, weight in items:
                value = record.get(name)
                if value is not None and value == value:
                    total += weight * value
            scores.append(total)
        if self.threshold is None:
            return scores
        threshold = self.threshold
        return [1 if s >= threshold else 0 for s in scores]

    @classmethod
    def fit(cls, records, target, features=None, threshold=None, ridge=1e-9):
        """Ordinary least squares (normal equations, Gaussian elimination) on ``features`` (default: every other numeric column)."""
        if not records:
            raise ValueError("fit needs at least one record")
        names = features or [k for k, v in records[0].items() if k != target and isinstance(v, (int, float)) and not isinstance(v, bool)]
        size = len(names) + 1
        gram = [[0.0] * size for _ in range(size)]
        moment = [0.0] * size
        for record in records:
            x = [1.0] + [float(record[n]) for n in names]
            y = float(record[target])
            for i in range(size):
                moment[i] += x[i] * y
                row = gram[i]
                for j in range(size):
                    row[j] += x[i] * x[j]
        for i in range(1, size):
            gram[i][i] += ridge
        solution = _solve(gram, moment)
        return cls(dict(zip(names, solution[1:])), solution[0], threshold)

    def __repr__(self):
        return "LinearModel(coefficients={!r}, intercept={!r}, threshold={!r})".format(self.coefficients, self.intercept, self.threshold)


def _solve(matrix, vector):
    size = len(vector)
    a = [row[:] + [vector[i]] for i, row in enumerate(matrix)]
    for column in range(size):
        pivot = max(range(column, size), key=lambda r: abs(a[r][column]))
        a[column], a[pivot] = a[pivot], a[column]
        if abs(a[column][column]) < 1e-12:
            continue
        for r in range(size):
            if r != column:
                factor = a[r][column] / a[column][column]
                if factor:
                    a[r] = [x - factor * y for x, y in zip(a[r], a[column])]
    return [a[i][size] / a[i][i] if abs(a[i][i]) >= 1e-12 else 0.0 for i in range(size)]
