"""The trained part: a logistic regression over TF-IDF features, exported to plain weights.

scikit-learn is imported only inside `train_linear` (training is rare). The fitted model is exported
to a vocabulary, idf values and a weight matrix that serialise to JSON (surviving library upgrades);
prediction is a sparse matrix product in numpy/scipy, done for a whole batch of posts at once, and
also yields each feature's contribution so the explanation can name the words that mattered.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from curator.classify.features import Doc, norm_tag

REGULARISATION_C = 4.0
MAX_ITER = 100
MIN_DF_FROM = 200  # examples from which single-post features are dropped


@dataclass
class LinearBatch:
    """Scores for a batch: logits (n x k) plus per-feature contributions for explanations."""

    logits: Any  # numpy array n x k
    indptr: list[int]
    columns: Any  # numpy int array, feature index per stored value
    contrib: Any  # numpy array nnz x k

    def top_per_row(self, classes: Any, limit: int = 6,
                    floor: float = 0.02) -> list[list[tuple[float, int]]]:
        """For each post, its strongest (contribution, feature index) pairs towards classes[row]
        (-1: none), strongest first."""
        import numpy as np

        n = len(self.indptr) - 1
        rows = np.repeat(np.arange(n), np.diff(np.asarray(self.indptr)))
        out: list[list[tuple[float, int]]] = [[] for _ in range(n)]
        if rows.size == 0:
            return out
        target = classes[rows]
        picked = self.contrib[np.arange(rows.size), np.maximum(target, 0)]
        hits = np.flatnonzero((picked > floor) & (target >= 0))
        for r, value, col in zip(rows[hits].tolist(), picked[hits].tolist(),
                                 self.columns[hits].tolist(), strict=True):
            out[r].append((value, col))
        for row in out:
            if len(row) > 1:
                row.sort(reverse=True)
                del row[limit:]
        return out


class ColumnMapper:
    """`featurize` + vocabulary lookup in one pass, for prediction.

    Word and bigram features are found by token lookups in prebuilt maps instead of building
    "t:word" strings, so unknown words cost one failed lookup. Must agree with `featurize`
    (tests check it): the same features, the same counts, restricted to the vocabulary.
    """

    def __init__(self, vocab: dict[str, int]) -> None:
        self.vocab = vocab
        # per field ("t:" title, "w:" text): word -> column, first word -> {second word: column}
        self.uni: tuple[dict[str, int], dict[str, int]] = ({}, {})
        self.bi: tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]] = ({}, {})
        for name, column in vocab.items():
            prefix, _, value = name.partition(":")
            if prefix not in ("t", "w"):
                continue
            slot = 0 if prefix == "t" else 1
            first, _, second = value.partition(" ")
            if second:
                self.bi[slot].setdefault(first, {})[second] = column
            else:
                self.uni[slot][first] = column

    def columns(self, doc: Doc, title_toks: list[str], text_toks: list[str]) -> dict[int, float]:
        counts: dict[int, float] = {}
        get = counts.get
        # per token position: title word, text word, then the bigram ending here (title, text);
        # the order matters: it is the order the scores are summed in
        (uni_t, uni_w), (bi_t, bi_w) = self.uni, self.bi
        inner_t: dict[str, int] | None = None
        inner_w: dict[str, int] | None = None
        for tok in title_toks:
            for j in (uni_t.get(tok), uni_w.get(tok),
                      inner_t.get(tok) if inner_t is not None else None,
                      inner_w.get(tok) if inner_w is not None else None):
                if j is not None:
                    counts[j] = get(j, 0.0) + 1.0
            inner_t, inner_w = bi_t.get(tok), bi_w.get(tok)
        uni_get, bi_get = uni_w.get, bi_w.get
        inner = None
        for tok in text_toks:
            j = uni_get(tok)
            if j is not None:
                counts[j] = get(j, 0.0) + 1.0
            if inner is not None:
                j = inner.get(tok)
                if j is not None:
                    counts[j] = get(j, 0.0) + 1.0
            inner = bi_get(tok)
        vocab = self.vocab
        extra: list[str] = []
        for tag in doc.tags:
            tag_norm = norm_tag(tag)
            if tag_norm:
                extra.append("tag:" + tag_norm)
                for tok in tag_norm.split():
                    j = vocab.get("w:" + tok)
                    if j is not None:
                        counts[j] = get(j, 0.0) + 1.0
        if doc.site:
            extra.append("site:" + doc.site.lower())
        if doc.author:
            extra.append("author:" + doc.author.strip().lower())
        if doc.hint:
            extra.append("hint:" + doc.hint)
        for name in set(extra):  # featurize sets these to 1.0, never counts them
            j = vocab.get(name)
            if j is not None:
                counts[j] = 1.0
        return counts


@dataclass
class LinearModel:
    classes: list[str]
    intercept: list[float]
    names: list[str]
    idf: list[float]
    coef: list[list[float]]  # one row per feature, one column per class
    _arrays: tuple[Any, Any, Any] | None = field(default=None, repr=False)
    _vocab: dict[str, int] | None = field(default=None, repr=False)
    _mapper: ColumnMapper | None = field(default=None, repr=False)

    @property
    def mapper(self) -> ColumnMapper:
        if self._mapper is None:
            self._mapper = ColumnMapper(self.vocab)
        return self._mapper

    @property
    def vocab(self) -> dict[str, int]:
        if self._vocab is None:
            self._vocab = {name: i for i, name in enumerate(self.names)}
        return self._vocab

    def arrays(self) -> tuple[Any, Any, Any]:
        if self._arrays is None:
            import numpy as np

            self._arrays = (np.asarray(self.idf, dtype=float),
                            np.asarray(self.coef, dtype=float).reshape(len(self.names),
                                                                      len(self.classes)),
                            np.asarray(self.intercept, dtype=float))
        return self._arrays

    def score_docs(self, docs: Sequence[Doc], toks: Sequence[tuple[list[str], list[str]]]
                   ) -> LinearBatch:
        """Score posts straight from their tokens (the fast path used for prediction)."""
        mapper = self.mapper
        return self._score([mapper.columns(d, *t) for d, t in zip(docs, toks, strict=True)])

    def _score(self, column_dicts: Sequence[dict[int, float]]) -> LinearBatch:
        """Sublinear TF-IDF, L2-normalised per post (as in training), times the weights."""
        import numpy as np

        idf, coef, intercept = self.arrays()
        indptr, columns, values = tfidf_columns(column_dicts, idf)
        n = len(column_dicts)
        rows = np.repeat(np.arange(n), np.diff(np.asarray(indptr)))
        contrib = values[:, None] * coef[columns]
        logits = np.tile(intercept, (n, 1))
        for k in range(len(self.classes)):
            logits[:, k] += np.bincount(rows, weights=contrib[:, k], minlength=n)
        return LinearBatch(logits, indptr, columns, contrib)

    def to_json(self) -> dict[str, object]:
        return {"classes": self.classes, "intercept": self.intercept, "names": self.names,
                "idf": self.idf, "coef": self.coef}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinearModel:
        return cls(classes=[str(c) for c in data["classes"]],
                   intercept=[float(x) for x in data["intercept"]],
                   names=[str(x) for x in data["names"]], idf=[float(x) for x in data["idf"]],
                   coef=[[float(x) for x in row] for row in data["coef"]])


def tfidf_columns(column_dicts: Sequence[dict[int, float]], idf: Any
                  ) -> tuple[list[int], Any, Any]:
    """CSR parts (indptr, columns, values) of the L2-normalised sublinear TF-IDF matrix."""
    import numpy as np

    indptr = [0]
    cols: list[int] = []
    counts: list[float] = []
    for feats in column_dicts:
        cols.extend(feats.keys())
        counts.extend(feats.values())
        indptr.append(len(cols))
    n = len(column_dicts)
    columns = np.asarray(cols, dtype=np.int64)
    values = (1.0 + np.log(np.asarray(counts, dtype=float))) * idf[columns]
    rows = np.repeat(np.arange(n), np.diff(np.asarray(indptr)))
    norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=n))
    norms[norms == 0] = 1.0
    return indptr, columns, values / norms[rows]


def train_linear(feature_dicts: Sequence[dict[str, float]], labels: Sequence[str],
                 sample_weights: Sequence[float], c: float = REGULARISATION_C) -> LinearModel | None:
    """Fit TF-IDF + multinomial logistic regression; None when fewer than two themes are labelled.

    With 200+ examples, features seen in a single post are dropped: they cannot generalise, and
    without them a 5,000-post retrain stays well under two seconds.
    """
    if len(set(labels)) < 2:
        return None
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    n = len(feature_dicts)
    df: dict[str, int] = {}
    for feats in feature_dicts:
        for name in feats:
            df[name] = df.get(name, 0) + 1
    min_df = 2 if n >= MIN_DF_FROM else 1
    names = [name for name, count in df.items() if count >= min_df]
    vocab = {name: i for i, name in enumerate(names)}
    idf = np.log((1.0 + n) / (1.0 + np.asarray([df[name] for name in names], dtype=float))) + 1.0
    indptr, columns, values = tfidf_columns(
        [{vocab[k]: v for k, v in f.items() if k in vocab} for f in feature_dicts], idf)
    matrix = csr_matrix((values, columns, np.asarray(indptr)), shape=(n, len(names)))
    model = LogisticRegression(C=c, max_iter=MAX_ITER, class_weight="balanced", tol=1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a near-optimum is good enough here
        model.fit(matrix, list(labels), sample_weight=np.asarray(sample_weights, dtype=float))
    coef = model.coef_
    intercept = model.intercept_
    fitted = [str(x) for x in model.classes_]
    if len(fitted) == 2:  # binary: sklearn keeps one row, for the second class
        coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
        intercept = np.array([0.0, intercept[0]])
    keep = np.flatnonzero(np.any(np.abs(coef) > 1e-6, axis=0))
    return LinearModel(fitted, [float(x) for x in intercept], [names[i] for i in keep],
                       [round(float(x), 5) for x in idf[keep]],
                       np.round(coef[:, keep].T, 5).tolist())
