"""Hermetic tests: every test gets its own CURATOR_HOME and no inherited CURATOR_* settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = SHARED / "corpus"


@pytest.fixture(autouse=True)
def curator_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(os.environ):
        if key.startswith("CURATOR_"):
            monkeypatch.delenv(key)
    home = tmp_path / "curator-home"
    monkeypatch.setenv("CURATOR_HOME", str(home))
    return home


def corpus_dir(name: str) -> Path:
    """A folder of ../shared/corpus, or skip the test when the corpus is absent."""
    path = CORPUS / name
    if not path.is_dir():
        pytest.skip(f"corpus folder {path} not present")
    return path
