"""Measuring the classifier: labelled JSONL loading, metrics and K-fold cross-validation.

Metrics are computed here (a few lines) rather than with scikit-learn so `themes eval` of the
zero-shot classifier needs no heavy import.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from curator.classify.features import Doc, domain_of
from curator.classify.zeroshot import ThemeSpec
from curator.errors import CuratorError


@dataclass
class Labelled:
    doc: Doc
    label: str


def doc_from_json(obj: dict[str, object]) -> Doc:
    tags = obj.get("tags") or []
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list):
        raise ValueError("'tags' must be a list of strings")
    url = obj.get("url")
    site = obj.get("site") or domain_of(url if isinstance(url, str) else None)
    return Doc(title=str(obj.get("title") or ""), summary=str(obj.get("summary") or ""),
               tags=[str(t) for t in tags if t], author=_opt(obj.get("author")),
               site=_opt(site), hint=_opt(obj.get("theme_hint")),
               link=url if isinstance(url, str) else None)


def _opt(value: object) -> str | None:
    return str(value) if value else None


_TEXT_FIELDS = ("title", "summary", "author", "site", "url")


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a value (JSON has no NaN or Infinity)")


def _labelled(obj: object, known: Sequence[str] | None) -> Labelled:
    """One line's object checked field by field; ValueError says what is wrong."""
    if not isinstance(obj, dict):
        raise ValueError("expected a JSON object")
    label = obj.get("label")
    if label is None or label == "":
        raise ValueError("missing 'label'")
    if not isinstance(label, str):
        raise ValueError(f"'label' must be one theme slug (text), not {type(label).__name__} "
                         f"{json.dumps(label)[:60]}")
    if known is not None and label not in known:
        raise ValueError(f"unknown theme {label!r} (known: {', '.join(known)})")
    for field in _TEXT_FIELDS:
        if obj.get(field) is not None and not isinstance(obj[field], str):
            raise ValueError(f"'{field}' must be text, not {type(obj[field]).__name__}")
    tags = obj.get("tags")
    if tags is not None and (not isinstance(tags, list)
                             or not all(isinstance(t, str) for t in tags)):
        raise ValueError(f"'tags' must be a list of texts, e.g. [\"foi\"], not "
                         f"{json.dumps(tags)[:60]}")
    if not (obj.get("title") or obj.get("summary")):
        raise ValueError("needs a 'title' or 'summary'")
    return Labelled(doc_from_json(obj), label)


def load_jsonl(path: str | Path, known: Sequence[str] | None = None) -> list[Labelled]:
    """Read labelled posts; a bad line raises CuratorError naming the file and line number."""
    path = Path(path)
    try:
        if str(path) == "-":
            import sys

            text = sys.stdin.buffer.read().decode("utf-8-sig")
            path = Path("<stdin>")
        else:
            text = path.read_text(encoding="utf-8-sig")  # a BOM is not a bad line
    except UnicodeDecodeError:
        raise CuratorError(f"{path}: not UTF-8 text") from None
    rows: list[Labelled] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line, parse_constant=_no_constant)
            rows.append(_labelled(obj, known))
        except RecursionError:
            raise CuratorError(f"{path}, line {number}: nested too deeply") from None
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            reason = str(exc).splitlines()[0]
            raise CuratorError(f"{path}, line {number}: {reason}") from None
    if not rows:
        raise CuratorError(f"{path}: no labelled posts")
    return rows


def metrics(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, object]:
    """Accuracy, macro-F1 over `labels`, per-theme precision/recall/f1/support, confusion matrix."""
    labels = list(labels) + sorted({*gold, *pred} - set(labels))
    confusion = {g: dict.fromkeys(labels, 0) for g in labels}
    for g, p in zip(gold, pred, strict=True):
        confusion[g][p] += 1
    per_theme: dict[str, dict[str, float]] = {}
    for slug in labels:
        tp = confusion[slug][slug]
        predicted = sum(confusion[g][slug] for g in labels)
        support = sum(confusion[slug].values())
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_theme[slug] = {"precision": round(precision, 4), "recall": round(recall, 4),
                           "f1": round(f1, 4), "support": support}
    scored = [s for s in labels if per_theme[s]["support"] or any(p == s for p in pred)]
    macro = sum(per_theme[s]["f1"] for s in scored) / len(scored) if scored else 0.0
    correct = sum(1 for g, p in zip(gold, pred, strict=True) if g == p)
    return {"n": len(gold), "accuracy": round(correct / len(gold), 4) if gold else 0.0,
            "macro_f1": round(macro, 4), "labels": labels, "per_theme": per_theme,
            "confusion": confusion}


def stratified_folds(labels: Sequence[str], k: int, seed: int = 13) -> list[list[int]]:
    """Split indices into k folds keeping each theme's share (deterministic for a seed)."""
    if k < 2:
        raise CuratorError("--cv needs at least 2 folds")
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    folds: list[list[int]] = [[] for _ in range(k)]
    rng = random.Random(seed)
    offset = 0
    for label in sorted(by_label):
        idx = by_label[label]
        rng.shuffle(idx)
        for j, i in enumerate(idx):
            folds[(j + offset) % k].append(i)
        offset += len(idx)
    return [f for f in folds if f]


def cross_validate(rows: Sequence[Labelled], k: int,
                   fit_predict: Callable[[list[Labelled], list[Doc]], list[str]],
                   labels: Sequence[str], seed: int = 13) -> dict[str, object]:
    """Out-of-fold predictions for every row, scored together (pooled K-fold CV)."""
    if k > len(rows):
        raise CuratorError(f"--cv {k} is more folds than the {len(rows)} labelled posts")
    pred: list[str] = [""] * len(rows)
    for fold in stratified_folds([r.label for r in rows], k, seed):
        held = set(fold)
        train = [r for i, r in enumerate(rows) if i not in held]
        out = fit_predict(train, [rows[i].doc for i in fold])
        for i, p in zip(fold, out, strict=True):
            pred[i] = p
    result = metrics([r.label for r in rows], pred, labels)
    result["cv"] = k
    return result


def run_evaluation(themes: Sequence[ThemeSpec], rows: Sequence[Labelled],
                   train: Sequence[Labelled] | None = None, cv: int | None = None) -> dict[str, object]:
    """Zero-shot (no training data), trained on `train`, or K-fold CV on `rows` itself."""
    from curator.classify.model import Example, ThemeClassifier

    slugs = [t.slug for t in themes]

    def fit_predict(train_rows: list[Labelled], docs: list[Doc]) -> list[str]:
        model = ThemeClassifier.fit(themes, [Example(r.doc, r.label, "edition") for r in train_rows])
        return [p.theme for p in model.predict_many(docs)]

    if cv is not None:
        result = cross_validate(rows, cv, fit_predict, slugs)
        result["mode"] = f"{cv}-fold cross-validation"
        return result
    if train:
        pred = fit_predict(list(train), [r.doc for r in rows])
        mode = f"trained on {len(train)} posts"
    else:
        zero = ThemeClassifier(themes)
        pred = [p.theme for p in zero.predict_many([r.doc for r in rows])]
        mode = "zero-shot"
    result = metrics([r.label for r in rows], pred, slugs)
    result["mode"] = mode
    return result
