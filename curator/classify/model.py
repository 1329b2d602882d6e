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
        self._postings: dict[str, list[int]] = {}
        for i, (_label, _title, vec) in enumerate(self.memory):
            for key in vec:
                self._postings.setdefault(key, []).append(i)

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
        title_toks, text_toks = doc.title_tokens(), doc.text_tokens()
        zs = self.zeroshot.score(doc, title_toks, text_toks)
        zs_probs = self.zeroshot.probabilities(zs)
        logits = {s: math.log(max(zs_probs[s], 1e-9)) for s in self.slugs}
        reasons: dict[str, list[tuple[float, str, str]]] = {s: [] for s in self.slugs}
        for ev in zs.evidence:
            reasons[ev.theme].append((ev.weight, ev.phrase, ev.field))
        feats: dict[str, float] | None = None
        alpha = self.linear_weight
        if self.linear is not None and alpha > 0:
            feats = featurize(doc, title_toks, text_toks)
            lin_probs, contrib = self.linear.probabilities(feats)
            share = len(self.linear.classes) / len(self.slugs)
            for s in self.slugs:
                p = lin_probs[s] * share if s in lin_probs else 1.0 / len(self.slugs)
                logits[s] += alpha * math.log(max(p, 1e-9))
            for name, row in contrib.items():
                for j, slug in enumerate(self.linear.classes):
                    if row[j] > 0.02:
                        phrase, field = readable_feature(name)
                        reasons[slug].append((alpha * row[j] * 4, phrase, field))
        if self.memory:
            if feats is None:
                feats = featurize(doc, title_toks, text_toks)
            self._recall(feats, logits, reasons)
        top = max(logits.values())
        exps = {s: math.exp(v - top) for s, v in logits.items()}
        total = sum(exps.values())
        probs = {s: v / total for s, v in exps.items()}
        theme = max(self.slugs, key=lambda s: probs[s])
        ranked = sorted(reasons[theme], key=lambda r: -r[0])
        why = format_reasons([(phrase, field) for _w, phrase, field in ranked])
        source = "model"
        if not why:
            why = "no clear evidence: default theme"
        elif ranked and ranked[0][2] == "feed" and all(r[2] == "feed" for r in ranked):
            source = "feed"
        return Prediction(theme, round(probs[theme], 4), source, why, probs)

    def _recall(self, feats: dict[str, float], logits: dict[str, float],
                reasons: dict[str, list[tuple[float, str, str]]]) -> None:
        vec = _memory_vector(feats)
        sims: dict[int, float] = {}
        for key, value in vec.items():
            for i in self._postings.get(key, ()):
                sims[i] = sims.get(i, 0.0) + value * self.memory[i][2][key]
        best: dict[str, tuple[float, str]] = {}
        for i, sim in sims.items():
            label, title, _vec = self.memory[i]
            if sim >= MEMORY_MIN_SIM and label in logits and sim > best.get(label, (0.0, ""))[0]:
                best[label] = (sim, title)
        for label, (sim, title) in best.items():
            logits[label] += MEMORY_WEIGHT * sim
            name = self.names.get(label, label)
            reasons[label].append((100 + sim, f"like \u201c{title[:60]}\u201d you filed under {name}",
                                   "similar"))

    def predict_many(self, docs: Sequence[Doc]) -> list[Prediction]:
        return [self.predict(d) for d in docs]

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
