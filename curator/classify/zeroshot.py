"""Zero-shot scoring from theme descriptions and seed phrases (works before any training).

Every seed phrase is stemmed into a token tuple and looked up in the post's title, text and tags.
A phrase shared by several themes is split between them; longer phrases weigh more; the title counts
double (it is what the writer chose to say the post is about). Descriptions add weak single-word
evidence so a user-made theme with no seeds still attracts posts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import islice
from typing import Any, NamedTuple

from curator.classify.features import STOPWORDS, Doc, norm_tag, surface, tokens

FIELD_WEIGHTS = {"title": 2.0, "text": 1.0, "tag": 1.5}
DESCRIPTION_WEIGHT = 0.3
HINT_BONUS = 1.5
FALLBACK_BONUS = 0.6  # with no evidence at all, the catch-all theme wins
MAX_N = 4
# vague words that say little on their own, even if a theme's description uses them
_GENERIC = frozenset(tokens("""public service services sector local government council councils digital
online web social people work working use using time year day week blog post""")) | STOPWORDS


@dataclass(frozen=True)
class ThemeSpec:
    """A theme as the classifier sees it (plain data, built from a Theme row or the defaults)."""

    slug: str
    name: str
    description: str = ""
    seeds: tuple[str, ...] = ()


class Evidence(NamedTuple):
    theme: str
    phrase: str
    field: str
    weight: float


@dataclass
class ZeroShotResult:
    """Scores plus what was found: per field, the set of phrase keys (in the order scores summed
    them), and the feed's hint if it counted. Reasons and evidence are worded only when asked."""

    scores: dict[str, float]
    groups: list[tuple[str, set[str]]]
    hint: str | None
    scorer: ZeroShot

    def reasons(self, theme: str) -> list[tuple[float, str, str]]:
        """(weight, phrase, field) of what spoke for `theme` (the hot path of explanations)."""
        out = []
        shown, by_theme = self.scorer.shown, self.scorer.by_theme
        for name, found in self.groups:
            weights = by_theme[name].get(theme)
            if weights is None:
                continue
            for key in found:
                weight = weights.get(key)
                if weight is not None:
                    out.append((weight, shown[key], name))
        if self.hint == theme:
            out.append((HINT_BONUS, "feed default", "feed"))
        return out

    def evidence(self, theme: str | None = None) -> list[Evidence]:
        """What spoke for `theme` (or for every theme), built only when asked for."""
        out = []
        shown, weighted = self.scorer.shown, self.scorer.weighted
        for name, found in self.groups:
            for key in found:
                for slug, weight in weighted[name][key]:
                    if theme is None or slug == theme:
                        out.append(Evidence(slug, shown[key], name, weight))
        if self.hint is not None and (theme is None or theme == self.hint):
            out.append(Evidence(self.hint, "feed default", "feed", HINT_BONUS))
        return out


class ZeroShot:
    """Phrase-index scorer over a fixed list of themes."""

    def __init__(self, themes: list[ThemeSpec], fallback: str | None = "other",
                 temperature: float = 1.5) -> None:
        self.slugs = [t.slug for t in themes]
        self.fallback = fallback if fallback in self.slugs else None
        self.temperature = temperature
        self.index: dict[tuple[str, ...], dict[str, float]] = {}
        self.display: dict[tuple[str, ...], str] = {}
        owners: dict[tuple[str, ...], set[str]] = {}
        raw: dict[tuple[tuple[str, ...], str], float] = {}
        for theme in themes:
            for seed in theme.seeds:
                key = tuple(tokens(seed))[:MAX_N]
                n_words = len(seed.split())
                if not key or (len(key) == 1 and n_words > 1):
                    continue  # "sign up" must not turn into the bare word "sign"
                weight = 1.0 + 0.5 * (len(key) - 1)
                raw[(key, theme.slug)] = max(raw.get((key, theme.slug), 0.0), weight)
                owners.setdefault(key, set()).add(theme.slug)
                shown = seed.lower() if len(key) == n_words else " ".join(map(surface, key))
                self.display.setdefault(key, shown)
            for word in tokens(f"{theme.name} {theme.description}"):
                if word in _GENERIC or len(word) < 3:
                    continue
                key = (word,)
                if (key, theme.slug) not in raw:
                    raw[(key, theme.slug)] = DESCRIPTION_WEIGHT
                    owners.setdefault(key, set()).add(theme.slug)
                    self.display.setdefault(key, word)
        for (key, slug), weight in raw.items():
            share = weight / len(owners[key])
            self.index.setdefault(key, {})[slug] = share
        # lookups by space-joined string
        self.lookup: dict[str, tuple[tuple[str, float], ...]] = {
            " ".join(key): tuple(hit.items()) for key, hit in self.index.items()}
        self.shown = {" ".join(key): text for key, text in self.display.items()}
        self.unigrams = {key[0] for key in self.index if len(key) == 1}
        # multi-word phrases by their first two tokens: (length, ' key ', key), shortest first
        self.by_pair: dict[tuple[str, str], list[tuple[int, str, str]]] = {}
        for key in sorted(self.index, key=len):
            if len(key) > 1:
                text = " ".join(key)
                self.by_pair.setdefault((key[0], key[1]), []).append(
                    (len(key), f" {text} ", text))
        self.pairs = frozenset(self.by_pair)
        # per field: key -> ((slug, field weight x share), ...), and theme -> {key: that product}
        self.weighted = {name: {text: tuple((slug, fw * weight) for slug, weight in hit)
                                for text, hit in self.lookup.items()}
                         for name, fw in FIELD_WEIGHTS.items()}
        self.by_theme: dict[str, dict[str, dict[str, float]]] = {}
        for name, table in self.weighted.items():
            per_theme = self.by_theme.setdefault(name, {})
            for text, shares in table.items():
                for slug, weight in shares:
                    per_theme.setdefault(slug, {})[text] = weight

    def _phrases(self, toks: list[str]) -> list[str]:
        """The multi-word phrases in `toks`, ordered by (first position, length).

        That is the order a left-to-right scan finds them in, so adding them to the field's set in
        this order gives the same set (and iteration order) as the scan did. Adjacent pairs are
        matched against the phrases' first pairs in C; only the few hits are located in Python.
        """
        present = self.pairs.intersection(zip(toks, islice(toks, 1, None), strict=False))
        if not present:
            return []
        # tokens hold no spaces: a phrase's first character offset in the joined text orders
        # phrases as their first token position does
        text = " " + " ".join(toks) + " "
        found: list[tuple[int, int, str]] = []
        for pair in present:
            for n, spaced, key in self.by_pair[pair]:
                at = text.find(spaced)
                if at >= 0:
                    found.append((at, n, key))
        found.sort()
        return [key for _i, _n, key in found]

    def score(self, doc: Doc, title_toks: list[str] | None = None,
              text_toks: list[str] | None = None) -> ZeroShotResult:
        scores = dict.fromkeys(self.slugs, 0.0)
        groups: list[tuple[str, set[str]]] = []
        fields = [("title", doc.title_tokens() if title_toks is None else title_toks),
                  ("text", doc.text_tokens() if text_toks is None else text_toks)]
        if doc.tags:
            fields += [("tag", norm_tag(tag).split()) for tag in doc.tags]
        for name, toks in fields:
            weighted = self.weighted[name]
            found = self.unigrams.intersection(toks)  # each phrase counts once per field
            if len(toks) > 1:
                phrases = self._phrases(toks)
                if phrases:
                    found.update(phrases)
            groups.append((name, found))
            for key in found:
                for slug, weight in weighted[key]:
                    scores[slug] += weight
        hint = None
        if doc.hint in scores:
            scores[doc.hint] += HINT_BONUS
            hint = doc.hint
        return ZeroShotResult(scores, groups, hint, self)

    def log_probabilities(self, scores: Any) -> Any:
        """Row-wise log-softmax of a (posts x themes) score matrix, as `probabilities` does."""
        import numpy as np

        logits = np.log1p(scores) * self.temperature
        if self.fallback is not None:
            logits[:, self.slugs.index(self.fallback)] += FALLBACK_BONUS
        logits -= logits.max(axis=1, keepdims=True)
        return logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))

    def probabilities(self, result: ZeroShotResult) -> dict[str, float]:
        """Softmax over the scores; with no evidence at all the fallback theme wins."""
        logits = {s: math.log1p(v) * self.temperature for s, v in result.scores.items()}
        if self.fallback is not None:
            logits[self.fallback] += FALLBACK_BONUS
        top = max(logits.values())
        exps = {s: math.exp(v - top) for s, v in logits.items()}
        total = sum(exps.values())
        return {s: v / total for s, v in exps.items()}
