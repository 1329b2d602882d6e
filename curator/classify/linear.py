"""The trained part: a logistic regression over TF-IDF features, exported to plain weights.

scikit-learn is imported only inside `train_linear` (training is rare; prediction is hot), and the
fitted model is exported to a dict of feature -> (idf, per-class weights). Prediction is then a few
dict lookups in pure Python, needs no scikit-learn at all, and the model serialises to JSON that
survives library upgrades.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

REGULARISATION_C = 4.0


@dataclass
class LinearModel:
    classes: list[str]
    intercept: list[float]
    weights: dict[str, tuple[float, list[float]]]  # feature -> (idf, weight per class)

    def scores(self, feats: dict[str, float]) -> tuple[list[float], dict[str, list[float]]]:
        """Per-class logits and each known feature's contribution vector."""
        weights = self.weights
        known: list[tuple[str, float, list[float]]] = []
        norm = 0.0
        for name, count in feats.items():
            entry = weights.get(name)
            if entry is None:
                continue
            value = (1.0 + math.log(count)) * entry[0] if count > 0 else 0.0
            norm += value * value
            known.append((name, value, entry[1]))
        logits = list(self.intercept)
        contrib: dict[str, list[float]] = {}
        if norm > 0:
            scale = 1.0 / math.sqrt(norm)
            k = len(logits)
            for name, value, coefs in known:
                x = value * scale
                row = [x * coefs[j] for j in range(k)]
                contrib[name] = row
                for j in range(k):
                    logits[j] += row[j]
        return logits, contrib

    def probabilities(self, feats: dict[str, float]) -> tuple[dict[str, float], dict[str, list[float]]]:
        logits, contrib = self.scores(feats)
        top = max(logits)
        exps = [math.exp(v - top) for v in logits]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps, strict=True)}, contrib

    def to_json(self) -> dict[str, object]:
        return {"classes": self.classes, "intercept": self.intercept,
                "weights": {k: [v[0], v[1]] for k, v in self.weights.items()}}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> LinearModel:
        raw = data["weights"]
        assert isinstance(raw, dict)
        return cls(classes=list(data["classes"]),  # type: ignore[call-overload]
                   intercept=[float(x) for x in data["intercept"]],  # type: ignore[attr-defined]
                   weights={k: (float(v[0]), [float(x) for x in v[1]]) for k, v in raw.items()})


def train_linear(feature_dicts: Sequence[dict[str, float]], labels: Sequence[str],
                 sample_weights: Sequence[float], c: float = REGULARISATION_C) -> LinearModel | None:
    """Fit TF-IDF + multinomial logistic regression; None when fewer than two themes are labelled."""
    classes = sorted(set(labels))
    if len(classes) < 2:
        return None
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer()
    counts = vectorizer.fit_transform(feature_dicts)
    tfidf = TfidfTransformer(sublinear_tf=True)
    matrix = tfidf.fit_transform(counts)
    model = LogisticRegression(C=c, max_iter=500, class_weight="balanced")
    model.fit(matrix, list(labels), sample_weight=np.asarray(sample_weights, dtype=float))
    coef = model.coef_
    intercept = model.intercept_
    fitted = [str(x) for x in model.classes_]
    if len(fitted) == 2:  # binary: sklearn keeps one row, for the second class
        coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
        intercept = np.array([0.0, intercept[0]])
    names = vectorizer.get_feature_names_out()
    idf = tfidf.idf_
    weights: dict[str, tuple[float, list[float]]] = {}
    columns = coef.T
    for i, name in enumerate(names):
        row = columns[i]
        if np.any(np.abs(row) > 1e-6):
            weights[str(name)] = (float(idf[i]), [round(float(x), 5) for x in row])
    return LinearModel(fitted, [float(x) for x in intercept], weights)
