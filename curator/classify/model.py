"""The theme classifier: zero-shot prior + trained linear model + memory of the user's corrections.

- Zero-shot (descriptions and seed phrases) works from day one and stays on as a prior, so a few
  labels refine it instead of replacing it.
- The linear model (trained on edition placements, explicit re-themes and rule hits as weak labels)
  gains weight as labelled examples accumulate.
- A small nearest-neighbour memory of explicit re-themes makes one correction change the prediction
  of a near-identical post at once ("like 'X', which you filed under Tools").
The whole thing serialises to compressed JSON for `ModelBlob`.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from curator.classify.explain import format_reasons, readable_feature
from curator.classify.features import Doc, featurize
from curator.classify.linear import LinearModel, train_linear
from curator.classify.zeroshot import ThemeSpec, ZeroShot

FORMAT_VERSION = "1"
LINEAR_STRENGTH = 1.5  # weight of the trained model once labels are plentiful
HALF_TRUST = 60  # labelled examples at which the trained model gets half its full weight
MEMORY_WEIGHT = 6.0
MEMORY_MIN_SIM = 0.45
MEMORY_CAP = 2000
SOURCE_WEIGHTS = {"user": 3.0, "edition": 1.0, "rule": 0.5}


@dataclass
class Example:
    doc: Doc
    label: str
    source: str = "edition"  # user | edition | rule


@dataclass(frozen=True)
class Prediction:
    theme: str
    confidence: float
    source: str  # model | feed
    why: str
    probabilities: dict[str, float]


def _memory_vector(feats: dict[str, float]) -> dict[str, float]:
    vec = {k: 1.0 + math.log(v) for k, v in feats.items() if k.startswith("w:") and v > 0}
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {k: v / norm for k, v in vec.items()}


class ThemeClassifier:
    """Predicts a theme with a confidence and a reason; see the module docstring."""

    def __init__(self, themes: Sequence[ThemeSpec], linear: LinearModel | None = None,
                 memory: list[tuple[str, str, dict[str, float]]] | None = None,
                 n_examples: int = 0) -> None:
        if not themes:
            raise ValueError("no themes to classify into")
        self.themes = list(themes)
        self.slugs = [t.slug for t in themes]
        self.names = {t.slug: t.name for t in themes}
        self.zeroshot = ZeroShot(self.themes)
        self.linear = linear if linear is None or set(linear.classes) <= set(self.slugs) else None
        self.n_examples = n_examples
        self.memory = memory or []
        self._memory_matrix: Any = None
        self._memory_vocab: dict[str, int] = {}

    @property
    def linear_weight(self) -> float:
        if self.linear is None:
            return 0.0
        return LINEAR_STRENGTH * self.n_examples / (self.n_examples + HALF_TRUST)

    # -- training --------------------------------------------------------------------------------
    @classmethod
    def fit(cls, themes: Sequence[ThemeSpec], examples: Sequence[Example]) -> ThemeClassifier:
        slugs = {t.slug for t in themes}
        usable = [e for e in examples if e.label in slugs]
        feats = [featurize(e.doc) for e in usable]
        linear = train_linear(feats, [e.label for e in usable],
                              [SOURCE_WEIGHTS.get(e.source, 1.0) for e in usable])
        memory = [(e.label, e.doc.title, _memory_vector(f))
                  for e, f in zip(usable, feats, strict=True) if e.source == "user"][-MEMORY_CAP:]
        n_real = sum(1 for e in usable if e.source != "rule") + 0.5 * sum(
            1 for e in usable if e.source == "rule")
        return cls(themes, linear, memory, int(n_real))

    # -- prediction ------------------------------------------------------------------------------
    def predict(self, doc: Doc) -> Prediction:
        return self.predict_many([doc])[0]

    def predict_many(self, docs: Sequence[Doc]) -> list[Prediction]:
        """Classify a batch (the linear model and the memory work on whole batches at once)."""
        if not docs:
            return []
        toks = [(d.title_tokens(), d.text_tokens()) for d in docs]
        alpha = self.linear_weight
        use_linear = self.linear is not None and alpha > 0
        feats = ([featurize(d, t, w) for d, (t, w) in zip(docs, toks, strict=True)]
                 if use_linear or self.memory else [])
        batch = self.linear.score_batch(feats) if use_linear and self.linear else None
        lin_logits = batch.logits.tolist() if batch is not None else None
        recalled = self._recall(feats) if self.memory else None
        out = []
        for i, doc in enumerate(docs):
            zs = self.zeroshot.score(doc, *toks[i])
            zs_probs = self.zeroshot.probabilities(zs)
            logits = {s: math.log(max(zs_probs[s], 1e-9)) for s in self.slugs}
            if lin_logits is not None and self.linear is not None:
                self._blend(logits, self.linear.classes, lin_logits[i], alpha)
            memories = recalled[i] if recalled is not None else {}
            for label, (sim, _title) in memories.items():
                logits[label] += MEMORY_WEIGHT * sim
            top = max(logits.values())
            exps = {s: math.exp(v - top) for s, v in logits.items()}
            total = sum(exps.values())
            probs = {s: v / total for s, v in exps.items()}
            theme = max(self.slugs, key=lambda s: probs[s])
            reasons = [(ev.weight, ev.phrase, ev.field) for ev in zs.evidence(theme)]
            if batch is not None and self.linear is not None and theme in self.linear.classes:
                cls = self.linear.classes.index(theme)
                for weight, name in batch.top_features(i, cls, self.linear.names):
                    phrase, field = readable_feature(name)
                    reasons.append((alpha * weight * 4, phrase, field))
            if theme in memories:
                sim, title = memories[theme]
                reasons.append((100 + sim, f"like \u201c{title[:60]}\u201d you filed under "
                                f"{self.names.get(theme, theme)}", "similar"))
            reasons.sort(key=lambda r: -r[0])
            why = format_reasons([(phrase, field) for _w, phrase, field in reasons])
            source = "model"
            if not why:
                why = "no clear evidence: default theme"
            elif all(r[2] == "feed" for r in reasons):
                source = "feed"
            out.append(Prediction(theme, round(probs[theme], 4), source, why, probs))
        return out

    def _blend(self, logits: dict[str, float], classes: list[str], row: list[float],
               alpha: float) -> None:
        """Add alpha * log p_linear; themes the model never saw get an even share."""
        top = max(row)
        exps = [math.exp(v - top) for v in row]
        total = sum(exps)
        share = len(classes) / len(self.slugs)
        lin = {c: e / total * share for c, e in zip(classes, exps, strict=True)}
        for s in self.slugs:
            logits[s] += alpha * math.log(max(lin.get(s, 1.0 / len(self.slugs)), 1e-9))

    def _recall(self, feats: list[dict[str, float]]) -> list[dict[str, tuple[float, str]]]:
        """Per post, the most similar remembered correction for each theme (cosine >= threshold)."""
        import numpy as np
        from scipy.sparse import csr_matrix

        if self._memory_matrix is None:
            vocab: dict[str, int] = {}
            rows, cols, vals = [], [], []
            for i, (_label, _title, vec) in enumerate(self.memory):
                for key, value in vec.items():
                    rows.append(i)
                    cols.append(vocab.setdefault(key, len(vocab)))
                    vals.append(value)
            self._memory_vocab = vocab
            self._memory_matrix = csr_matrix((vals, (rows, cols)),
                                             shape=(len(self.memory), len(vocab))).T.tocsr()
        vocab = self._memory_vocab
        rows, cols, vals = [], [], []
        log = math.log
        for i, f in enumerate(feats):
            start, square = len(vals), 0.0
            for key, value in f.items():
                if key[0] == "w" and key[1] == ":" and value > 0:
                    weight = 1.0 + log(value)
                    square += weight * weight
                    j = vocab.get(key)
                    if j is not None:
                        rows.append(i)
                        cols.append(j)
                        vals.append(weight)
            if square > 0:
                scale = 1.0 / math.sqrt(square)
                vals[start:] = [v * scale for v in vals[start:]]
        x = csr_matrix((vals, (rows, cols)), shape=(len(feats), len(vocab)))
        sims = (x @ self._memory_matrix).tocsr()
        out: list[dict[str, tuple[float, str]]] = [{} for _ in feats]
        hits = np.flatnonzero(sims.data >= MEMORY_MIN_SIM)
        if hits.size:
            row_of = np.repeat(np.arange(len(feats)), np.diff(sims.indptr))
            for h in hits:
                i, m, sim = int(row_of[h]), int(sims.indices[h]), float(sims.data[h])
                label, title, _vec = self.memory[m]
                if label in self.names and sim > out[i].get(label, (0.0, ""))[0]:
                    out[i][label] = (sim, title)
        return out

    # -- persistence -----------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        data = {"format": FORMAT_VERSION, "themes": self.slugs, "n_examples": self.n_examples,
                "linear": self.linear.to_json() if self.linear else None,
                "memory": [[lab, title, vec] for lab, title, vec in self.memory]}
        return zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 6)

    @classmethod
    def from_bytes(cls, blob: bytes, themes: Sequence[ThemeSpec]) -> ThemeClassifier | None:
        """Load a stored model; None if it is unreadable or was trained for other themes."""
        try:
            data = json.loads(zlib.decompress(blob))
            if data.get("format") != FORMAT_VERSION or data["themes"] != [t.slug for t in themes]:
                return None
            linear = LinearModel.from_json(data["linear"]) if data.get("linear") else None
            memory = [(str(m[0]), str(m[1]), {str(k): float(v) for k, v in m[2].items()})
                      for m in data.get("memory", [])]
            return cls(themes, linear, memory, int(data.get("n_examples", 0)))
        except (ValueError, KeyError, TypeError, IndexError, zlib.error, AssertionError):
            return None
