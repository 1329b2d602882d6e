"""Zero-shot scoring from theme descriptions and seed phrases (works before any training).

Every seed phrase is stemmed into a token tuple and looked up in the post's title, text and tags.
A phrase shared by several themes is split between them; longer phrases weigh more; the title counts
double (it is what the writer chose to say the post is about). Descriptions add weak single-word
evidence so a user-made theme with no seeds still attracts posts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from curator.classify.features import STOPWORDS, Doc, norm_tag, tokens

FIELD_WEIGHTS = {"title": 2.0, "text": 1.0, "tag": 1.5}
DESCRIPTION_WEIGHT = 0.3
HINT_BONUS = 1.5
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


@dataclass
class Evidence:
    theme: str
    phrase: str
    field: str
    weight: float


@dataclass
class ZeroShotResult:
    scores: dict[str, float]
    evidence: list[Evidence] = field(default_factory=list)


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
                if not key:
                    continue
                weight = 1.0 + 0.5 * (len(key) - 1)
                raw[(key, theme.slug)] = max(raw.get((key, theme.slug), 0.0), weight)
                owners.setdefault(key, set()).add(theme.slug)
                self.display.setdefault(key, seed.lower())
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

    def score(self, doc: Doc, title_toks: list[str] | None = None,
              text_toks: list[str] | None = None) -> ZeroShotResult:
        scores = dict.fromkeys(self.slugs, 0.0)
        evidence: list[Evidence] = []
        seen: set[tuple[tuple[str, ...], str]] = set()
        fields = [("title", doc.title_tokens() if title_toks is None else title_toks),
                  ("text", doc.text_tokens() if text_toks is None else text_toks)]
        fields += [("tag", norm_tag(tag).split()) for tag in doc.tags]
        index = self.index
        for name, toks in fields:
            fw = FIELD_WEIGHTS[name]
            n_toks = len(toks)
            for i in range(n_toks):
                for n in range(1, min(MAX_N, n_toks - i) + 1):
                    key = tuple(toks[i:i + n])
                    hit = index.get(key)
                    if hit is None or (key, name) in seen:
                        continue
                    seen.add((key, name))
                    for slug, weight in hit.items():
                        scores[slug] += fw * weight
                        evidence.append(Evidence(slug, self.display[key], name, fw * weight))
        if doc.hint in scores:
            scores[doc.hint] += HINT_BONUS
            evidence.append(Evidence(doc.hint, "feed default", "feed", HINT_BONUS))
        return ZeroShotResult(scores, evidence)

    def probabilities(self, result: ZeroShotResult) -> dict[str, float]:
        """Softmax over the scores; with no evidence at all the fallback theme wins."""
        logits = {s: math.log1p(v) * self.temperature for s, v in result.scores.items()}
        if self.fallback is not None:
            logits[self.fallback] += 0.6
        top = max(logits.values())
        exps = {s: math.exp(v - top) for s, v in logits.items()}
        total = sum(exps.values())
        return {s: v / total for s, v in exps.items()}
