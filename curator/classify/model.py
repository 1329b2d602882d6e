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
from operator import itemgetter
from typing import Any

from curator.classify.explain import format_reasons, readable_feature
from curator.classify.features import Doc, featurize
from curator.classify.linear import LinearModel, train_linear
from curator.classify.zeroshot import ThemeSpec, ZeroShot, ZeroShotResult

FORMAT_VERSION = "3"
LINEAR_STRENGTH = 1.5  # weight of the trained model once labels are plentiful
HALF_TRUST = 60  # labelled examples at which the trained model gets half its full weight
MEMORY_WEIGHT = 6.0
MEMORY_MIN_SIM = 0.45
MEMORY_CAP = 2000
SOURCE_WEIGHTS = {"user": 3.0, "edition": 1.0, "rule": 0.5}
_PHRASE_FIELD = itemgetter(1, 2)  # (weight, phrase, field) -> (phrase, field)


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


def _memory_vector(title_toks: list[str], text_toks: list[str]) -> dict[str, float]:
    """The set of a post's words, L2-normalised (the memory's similarity space: binary cosine)."""
    words = set(title_toks)
    words.update(text_toks)
    if not words:
        return {}
    value = 1.0 / math.sqrt(len(words))
    return dict.fromkeys(words, value)


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
        memory = [(e.label, e.doc.title, _memory_vector(e.doc.title_tokens(), e.doc.text_tokens()))
                  for e in usable if e.source == "user"][-MEMORY_CAP:]
        n_real = sum(1 for e in usable if e.source != "rule") + 0.5 * sum(
            1 for e in usable if e.source == "rule")
        return cls(themes, linear, memory, int(n_real))

    # -- prediction ------------------------------------------------------------------------------
    def predict(self, doc: Doc) -> Prediction:
        return self.predict_many([doc])[0]

    def predict_many(self, docs: Sequence[Doc]) -> list[Prediction]:
        """Classify a batch: scores are blended for the whole batch at once with numpy."""
        if not docs:
            return []
        slugs = self.slugs
        toks = [(d.title_tokens(), d.text_tokens()) for d in docs]
        zs_results = [self.zeroshot.score(d, *t) for d, t in zip(docs, toks, strict=True)]
        if (self.linear is None or self.linear_weight == 0) and not self.memory:
            return [self._zero_shot_only(r) for r in zs_results]  # no numpy needed at all
        import numpy as np

        logits = self.zeroshot.log_probabilities(
            np.asarray([[r.scores[s] for s in slugs] for r in zs_results], dtype=float))
        alpha = self.linear_weight
        batch = None
        if self.linear is not None and alpha > 0:
            batch = self.linear.score_docs(docs, toks)
            logits += alpha * self._linear_log_probs(batch.logits)
        recalled = self._recall(toks) if self.memory else None
        if recalled is not None:
            for i, memories in enumerate(recalled):
                for label, (sim, _title) in memories.items():
                    logits[i, slugs.index(label)] += MEMORY_WEIGHT * sim
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        winners = probs.argmax(axis=1)
        top_features: list[list[tuple[float, int]]] = [[] for _ in docs]
        if batch is not None and self.linear is not None:
            cls_of = np.asarray([self.linear.classes.index(s) if s in self.linear.classes else -1
                                 for s in slugs])
            top_features = batch.top_per_row(cls_of[winners])
        prob_rows = probs.tolist()
        out = []
        for i, row in enumerate(prob_rows):
            theme = slugs[int(winners[i])]
            reasons = zs_results[i].reasons(theme)
            if batch is not None and self.linear is not None:
                for weight, col in top_features[i]:
                    phrase, field = readable_feature(self.linear.names[col])
                    reasons.append((alpha * weight * 4, phrase, field))
            memories = recalled[i] if recalled is not None else {}
            if theme in memories:
                sim, title = memories[theme]
                reasons.append((100 + sim, f"like \u201c{title[:60]}\u201d you filed under "
                                f"{self.names.get(theme, theme)}", "similar"))
            out.append(self._finish(theme, dict(zip(slugs, row, strict=True)), reasons))
        return out

    def _zero_shot_only(self, result: ZeroShotResult) -> Prediction:
        probs = self.zeroshot.probabilities(result)
        theme = max(self.slugs, key=probs.__getitem__)
        return self._finish(theme, probs, result.reasons(theme))

    def _finish(self, theme: str, probs: dict[str, float],
                reasons: list[tuple[float, str, str]]) -> Prediction:
        """Order the reasons, word them, and decide whether the feed's default decided."""
        reasons.sort(key=itemgetter(0), reverse=True)
        why = format_reasons(map(_PHRASE_FIELD, reasons[:12]))
        source = "model"
        if not why:
            why = "no clear evidence: default theme"
        elif reasons[0][2] == "feed" and all(r[2] == "feed" for r in reasons):
            source = "feed"
        return Prediction(theme, round(probs[theme], 4), source, why, probs)

    def _linear_log_probs(self, lin_logits: Any) -> Any:
        """log p_linear per theme (n x themes); themes the model never saw get an even share."""
        import numpy as np

        assert self.linear is not None
        classes, slugs = self.linear.classes, self.slugs
        shifted = lin_logits - lin_logits.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        log_p += math.log(len(classes) / len(slugs))
        out = np.full((lin_logits.shape[0], len(slugs)), math.log(1.0 / len(slugs)))
        for j, cls in enumerate(classes):
            out[:, slugs.index(cls)] = log_p[:, j]
        return out

    def _recall(self, toks: list[tuple[list[str], list[str]]]
                ) -> list[dict[str, tuple[float, str]]]:
        """Per post, the most similar remembered correction for each theme (cosine >= threshold)."""
        import numpy as np
        from scipy.sparse import csr_matrix

        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        if self._memory_matrix is None:
            vocab: dict[str, int] = {}
            df: dict[str, int] = {}
            for _label, _title, vec in self.memory:
                for key in vec:
                    df[key] = df.get(key, 0) + 1
            # words in many remembered posts say little about near-duplicates; skipping them
            # keeps the similarity product sparse
            limit = max(5, len(self.memory) // 20)
            for i, (_label, _title, vec) in enumerate(self.memory):
                for key, value in vec.items():
                    if df[key] > limit:
                        continue
                    rows.append(i)
                    cols.append(vocab.setdefault(key, len(vocab)))
                    vals.append(value)
            self._memory_vocab = vocab
            self._memory_matrix = csr_matrix((vals, (rows, cols)),
                                             shape=(len(self.memory), len(vocab))).T.tocsr()
            rows, cols, vals = [], [], []
        vocab = self._memory_vocab
        for i, (title_toks, text_toks) in enumerate(toks):
            words = set(title_toks)
            words.update(text_toks)
            found = [vocab[w] for w in words if w in vocab]
            if found:  # same vector as _memory_vector, restricted to the vocabulary
                cols.extend(found)
                vals.extend([1.0 / math.sqrt(len(words))] * len(found))
                rows.extend([i] * len(found))
        x = csr_matrix((vals, (rows, cols)), shape=(len(toks), len(vocab)))
        sims = (x @ self._memory_matrix).tocsr()
        out: list[dict[str, tuple[float, str]]] = [{} for _ in toks]
        hits = np.flatnonzero(sims.data >= MEMORY_MIN_SIM)
        if hits.size:
            row_of = np.repeat(np.arange(len(toks)), np.diff(sims.indptr))
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
