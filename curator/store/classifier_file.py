"""The stored classifier and rules, read from a database file with the standard library's sqlite3.

An everyday poll over a file brings a few new posts. Themeing them through the data layer meant
importing SQLAlchemy and the ORM (about 0.3 s) to read one model blob and a few rows. A poll
reads them here instead, when the stored model is current; when it is not (a correction or a
rule hit since it was trained, another theme list, no model yet) this answers None and the
data layer retrains as always (`store.training.load_or_train`). `model_version` is the one
definition of "current": the data layer computes it from the same four facts.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from curator.classify.decide import ThemeSnapshot
from curator.classify.model import ThemeClassifier
from curator.classify.rules import RuleSpec
from curator.classify.zeroshot import ThemeSpec

MODEL_NAME = "themes"  # the model_blob row the classifier is stored in


def model_version(slugs: Sequence[str], last_signal: int | None, n_signals: int,
                  rule_hits: Sequence[tuple[Any, ...]]) -> str:
    """Changes whenever the labels the model learns from change: the theme list, the training
    signals (the newest id and how many) and the rule-placed posts (id, theme; by id)."""
    digest = hashlib.sha1(repr([tuple(hit) for hit in rule_hits]).encode()).hexdigest()[:12]
    return f"{','.join(slugs)}|{last_signal}|{n_signals}|{digest}"


def stored_snapshot(conn: sqlite3.Connection) -> ThemeSnapshot | None:
    """The stored model with the enabled rules, when the model is current; None otherwise (and
    when the file has no themes yet, or cannot be read: the data layer will say why)."""
    try:
        themes = [ThemeSpec(slug, name, description or "", tuple(json.loads(seeds or "[]")))
                  for slug, name, description, seeds in conn.execute(
                      "SELECT slug, name, description, seeds FROM theme ORDER BY position, id")]
        if not themes:
            return None
        blob = conn.execute("SELECT version, data FROM model_blob WHERE name = ?",
                            (MODEL_NAME,)).fetchone()
        if blob is None or blob[0] != _version(conn, [t.slug for t in themes]):
            return None
        classifier = ThemeClassifier.from_bytes(blob[1], themes)
        if classifier is None:
            return None
        rules = tuple(RuleSpec(rid, field, pattern, theme, feed_id)
                      for rid, field, pattern, theme, feed_id in conn.execute(
                          "SELECT id, field, pattern, theme, feed_id FROM rule "
                          "WHERE enabled ORDER BY id")
                      if theme in classifier.slugs)
    except (sqlite3.Error, ValueError, TypeError):
        return None
    return ThemeSnapshot(classifier, rules)


def _version(conn: sqlite3.Connection, slugs: list[str]) -> str:
    last: Any = conn.execute("SELECT id FROM training_signal ORDER BY id DESC LIMIT 1").fetchone()
    count = conn.execute("SELECT count(*) FROM training_signal").fetchone()[0]
    hits = conn.execute("SELECT id, theme FROM post WHERE theme_source = 'rule' "
                        "ORDER BY id").fetchall()
    return model_version(slugs, last[0] if last else None, int(count), hits)
