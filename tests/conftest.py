"""Hermetic tests: every test gets its own CURATOR_HOME and no inherited CURATOR_*, proxy or CA
settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = SHARED / "corpus"
# the machine's proxy and CA settings must not steer tests (the network tests set their own)
NETWORK_ENV = frozenset({"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
                         "SSL_CERT_FILE", "SSL_CERT_DIR"})


@pytest.fixture(autouse=True)
def curator_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(os.environ):
        if key.startswith("CURATOR_") or key.upper() in NETWORK_ENV:
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
