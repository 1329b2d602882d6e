"""Theme classification: rules, zero-shot seed phrases, a trained linear model, and measurement.

Importing this package is cheap (no scikit-learn, no numpy): the trained model's weights are plain
dicts, and scikit-learn is imported only when a model is (re)trained.
"""

from curator.classify.features import Doc
from curator.classify.model import Example, Prediction, ThemeClassifier
from curator.classify.zeroshot import ThemeSpec

__all__ = ["Doc", "Example", "Prediction", "ThemeClassifier", "ThemeSpec"]
