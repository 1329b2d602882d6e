"""Printing helpers: JSON on stdout for scripts, clean one-line text for people."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import click

from curator.text import one_line


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(value)
    return str(value)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, default=_default, ensure_ascii=False, indent=2))


def cell(value: Any, width: int | None = None) -> str:
    """A table cell: never None, never a control character, optionally truncated."""
    if value is None:
        return "-"
    return one_line(str(value), width)


def table(rows: list[list[Any]], headers: list[str], widths: list[int | None]) -> None:
    """Print an aligned plain-text table (no colour codes, pipes well)."""
    cells = [[cell(v, w) for v, w in zip(row, widths, strict=True)] for row in rows]
    sizes = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(s) for h, s in zip(headers, sizes, strict=True)).rstrip())
    for row in cells:
        click.echo("  ".join(c.ljust(s) for c, s in zip(row, sizes, strict=True)).rstrip())
