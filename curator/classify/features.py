"""Turning a post into tokens and sparse features, the same way for training and prediction.

Pure Python on purpose: prediction must not need scikit-learn (it is imported only to train), and a
cached light stemmer keeps "councils", "council's" and "council" one feature so 80 labelled posts
go further. Features carry their field as a prefix ("t:" title word, "w:" text word, "tag:" ...) so
the explanation can say where the evidence was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

_WORD = re.compile(r"[a-z0-9][a-z0-9'’&+.-]*[a-z0-9+]|[a-z0-9]")

STOPWORDS = frozenset(["a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "aren't", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "don't", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "i'm", "if", "in", "into", "is", "isn't", "it", "it's", "its", "itself", "just", "let's", "me", "more", "most", "my", "myself", "no", "nor", "not", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "that's", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "we're", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "get", "got", "one", "two", "new", "us", "may", "might", "must", "via", "per", "etc", "eg", "ie", "s", "t", "ll", "ve", "re", "d", "m", "lot", "lots", "really", "much", "many", "way", "things", "thing", "make", "makes", "made"])

# suffixes stripped longest-first; the stem must keep at least 3 characters
_SUFFIXES = ("ational", "isation", "ization", "ations", "ation", "nesses", "ments", "ment", "ness",
             "ities", "ity", "ings", "ing", "ised", "ized", "ises", "izes", "ise", "ize", "ers", "er",
             "ies", "ied", "ed", "es", "ly", "s")
_KEEP = frozenset({"news", "data", "media", "gis", "ios", "sms", "foi", "gds", "ons", "nhs", "this",
                   "bus", "us", "is", "was", "has", "its", "process", "access", "business", "less",
                   "across", "analysis", "basis", "crisis", "status", "census", "canvas", "focus",
                   "campus", "bonus", "series", "species", "always", "various", "previous"})


_SURFACE: dict[str, str] = {}


def surface(token: str) -> str:
    """A readable word for a stem (the first word seen that produced it), for explanations."""
    return _SURFACE.get(token, token)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light, deterministic suffix stripper (no dictionary, no downloads)."""
    out = _stem(word)
    if len(_SURFACE) < 200_000:
        _SURFACE.setdefault(out, word.replace("’", "'").removesuffix("'s"))
    return out


def _stem(word: str) -> str:
    word = word.replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.strip("'.-&")
    if len(word) <= 3 or word in _KEEP or word.isdigit():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if suffix in ("ies", "ied", "ity", "ities"):
                return base + "y" if suffix in ("ies", "ied") else base
            if suffix == "s" and (base.endswith(("s", "u", "i"))):
                return word
            if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]  # running -> run, planning -> plan
            if base.endswith("e") and len(base) > 3:
                base = base[:-1]
            return base
    if word.endswith("e") and len(word) > 4:
        return word[:-1]
    return word


_TOKEN_OF: dict[str, str] = {}  # raw word -> stemmed token ("" for a stopword or a number)


def _token(raw: str) -> str:
    if raw in STOPWORDS or raw.isdigit():
        return ""
    token = stem(raw)
    return "" if token in STOPWORDS else token


def _chunk_tokens(chunk: str) -> tuple[str, ...]:
    """The tokens of one whitespace-free chunk (the slow path: a regex and the word cache)."""
    cache = _TOKEN_OF
    out = []
    for raw in _WORD.findall(chunk.lower()):
        token = cache.get(raw)
        if token is None:
            token = _token(raw)
            if len(cache) < 500_000:
                cache[raw] = token
        if token:
            out.append(token)
    return tuple(out)


# whitespace-delimited chunk, as written -> its one token ("" for none); chunks that hold several
# tokens ("and/or", links) are kept apart, so the common case is one C-level map over a dict
_ONE: dict[str, str] = {}
_MANY: dict[str, tuple[str, ...]] = {}
_CHUNKS_MAX = 100_000


def tokens(text: str | None) -> list[str]:
    """Stemmed content words of `text`, in order (stopwords and bare numbers dropped).

    Tokens never span whitespace (no whitespace character can be part of a word), so a text is
    split on whitespace in C and each chunk's token comes from a cache: a post costs one C-level
    map over a dict instead of a regex scan. New chunks go through `_chunk_tokens` in text order,
    so words meet `stem` in the same order as a plain scan would (which keeps `surface` the same).
    """
    if not text:
        return []
    chunks = text.split()
    try:
        return list(filter(None, map(_ONE.__getitem__, chunks)))
    except KeyError:  # a chunk not seen yet, or one with several tokens
        return _tokens_slow(chunks)


def _tokens_slow(chunks: list[str]) -> list[str]:
    out: list[str] = []
    for chunk in chunks:
        token = _ONE.get(chunk)
        if token is None:
            many = _MANY.get(chunk)
            if many is None:
                many = _chunk_tokens(chunk)
                if len(_ONE) + len(_MANY) >= _CHUNKS_MAX:
                    _ONE.clear()  # memory stays bounded; the word cache keeps the words
                    _MANY.clear()
                if len(many) > 1:
                    _MANY[chunk] = many
                else:
                    _ONE[chunk] = many[0] if many else ""
            out.extend(many)
        elif token:
            out.append(token)
    return out


@lru_cache(maxsize=20_000)
def norm_tag(tag: str) -> str:
    return " ".join(tokens(tag)) or tag.strip().lower()


# "http(s)://host/..." with a plain host (no port, credentials, brackets or spaces)
_PLAIN_HOST = re.compile(r"https?://([^/?#@:\[\]\s]*)(?:[/?#]|\Z)")


def domain_of(url: str | None) -> str | None:
    """The host of a link without 'www.', or None."""
    if not url:
        return None
    fast = _PLAIN_HOST.match(url)
    if fast is not None and fast.group(1).isascii():  # what urlsplit gives, without its cost
        host = fast.group(1).lower()
        return host.removeprefix("www.") if host else None
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.removeprefix("www.")


@dataclass
class Doc:
    """What the classifier knows about a post (the same for stored posts and JSONL rows)."""

    title: str = ""
    summary: str = ""
    tags: list[str] = field(default_factory=list)
    author: str | None = None
    site: str | None = None  # link or blog domain
    feed: str | None = None  # feed identity (URL or id), for feed-scoped rules and features
    hint: str | None = None  # the feed's OPML default theme
    link: str | None = None

    def title_tokens(self) -> list[str]:
        return tokens(self.title)

    def text_tokens(self) -> list[str]:
        return tokens(self.summary)


def _add_ngrams(feats: dict[str, float], prefix: str, toks: list[str], weight: float) -> None:
    get = feats.get
    for tok in toks:
        key = prefix + tok
        feats[key] = get(key, 0.0) + weight
    prev = None
    for tok in toks:
        if prev is not None:
            key = f"{prefix}{prev} {tok}"
            feats[key] = get(key, 0.0) + weight
        prev = tok


def featurize(doc: Doc, title_toks: list[str] | None = None,
              text_toks: list[str] | None = None) -> dict[str, float]:
    """Sparse feature counts: words and bigrams of title ('t:') and text ('w:'), tags, site, hint."""
    t_toks = doc.title_tokens() if title_toks is None else title_toks
    w_toks = doc.text_tokens() if text_toks is None else text_toks
    feats: dict[str, float] = {}
    _add_ngrams(feats, "t:", t_toks, 1.0)
    _add_ngrams(feats, "w:", t_toks, 1.0)  # the title is also text: shared vocabulary
    _add_ngrams(feats, "w:", w_toks, 1.0)
    for tag in doc.tags:
        tag_norm = norm_tag(tag)
        if tag_norm:
            feats["tag:" + tag_norm] = 1.0
            for tok in tag_norm.split():
                feats["w:" + tok] = feats.get("w:" + tok, 0.0) + 1.0
    if doc.site:
        feats["site:" + doc.site.lower()] = 1.0
    if doc.author:
        feats["author:" + doc.author.strip().lower()] = 1.0
    if doc.hint:
        feats["hint:" + doc.hint] = 1.0
    return feats
