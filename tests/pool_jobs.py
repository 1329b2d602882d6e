"""Job functions for the parse-pool tests (module-level, so a fork server's workers import them)."""

from __future__ import annotations

import os
import time


def add(a: int, b: int) -> int:
    return a + b


def pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def die_on(value: str) -> str:
    """Kills its own worker (as a memory cap or a native crash would) when asked to."""
    if value == "die":
        os._exit(3)
    return value.upper()


def fail_on(value: str) -> str:
    if value == "fail":
        raise ValueError("bad input")
    return value
