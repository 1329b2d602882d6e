"""Render an edition to Markdown, an HTML fragment, a full e-mail-safe HTML page or plain text.

Templates are Jinja2 (sandboxed) and looked up first in the user's templates dir, then in the
bundled `templates/`. Every expression is escaped for its format by default: HTML through
autoescape, Markdown through a backslash escaper applied by `finalize`, text by stripping control
characters. Links are emitted only for http(s) URLs; anything else is shown as plain text.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from curator.errors import CuratorError
from curator.roundup.blurbs import note_suffix
from curator.roundup.inline_links import pieces
from curator.roundup.views import EditionView, ItemView, SectionView
from curator.safe_files import atomic_write
from curator.text import one_line, strip_controls, tidy_paragraphs
from curator.urls import safe_link

BUNDLED = Path(__file__).resolve().parent / "templates"
FORMATS = {"md": "edition.md.j2", "html": "page.html.j2", "fragment": "fragment.html.j2",
           "txt": "edition.txt.j2"}
ALIASES = {"markdown": "md", "text": "txt", "plain": "txt", "html-fragment": "fragment",
           "page": "html"}

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])|&(?=#?\w+;)")
_MD_INDENT = re.compile(r"^[ \t]+", re.M)
_MD_LINE_START = re.compile(r"^(\s*)([-+=#]|\d+(?=[.)]))", re.M)


class MdSafe(str):
    """Markdown that is already escaped (finalize leaves it alone)."""


def md_escape(text: object) -> str:
    """Make any string inert in Markdown: specials backslash-escaped, controls removed."""
    if isinstance(text, MdSafe):
        return text
    # leading indentation would make a code block: keep at most one space (fragments such as
    # " from Tanya" still need theirs)
    cleaned = _MD_INDENT.sub(" ", strip_controls(str(text)))
    escaped = _MD_SPECIAL.sub(lambda m: "\\" + (m.group(1) or "&"), cleaned)
    return _MD_LINE_START.sub(_line_start, escaped)


def _line_start(match: re.Match[str]) -> str:
    lead, marker = match.group(1), match.group(2)
    if marker[0].isdigit():  # "1. x" -> "1\. x": the delimiter is what needs the backslash
        return lead + marker + "\\"
    return lead + "\\" + marker


def md_url(url: str) -> str:
    """A link destination that cannot break out of `(...)`."""
    return quote(url, safe="/:?#@!$&'*+,;=%~.-_")


def normalise_format(fmt: str) -> str:
    key = (fmt or "").strip().lower()
    key = ALIASES.get(key, key)
    if key not in FORMATS:
        raise CuratorError(f"unknown format {fmt!r} (choose md, html, fragment or txt)")
    return key


def _day(value: datetime | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def _paragraphs(text: str | None) -> list[str]:
    return [p for p in tidy_paragraphs(text).split("\n\n") if p]


def _md_linked(text: str) -> MdSafe:
    out = []
    for piece in pieces(strip_controls(text)):
        if piece.url is None:
            out.append(md_escape(piece.text))
        elif piece.text == piece.url:
            out.append(f"<{md_url(piece.url)}>")
        else:
            if out and out[-1].endswith("!"):
                out[-1] = out[-1][:-1] + "\\!"  # "![" would start an image
            out.append(f"[{md_escape(one_line(piece.text))}]({md_url(piece.url)})")
    return MdSafe("".join(out))


def _html_linked(text: str) -> Markup:
    out = Markup("")
    for piece in pieces(strip_controls(text)):
        if piece.url is None:
            out += escape(piece.text)
        else:
            out += Markup('<a href="{}" style="color:#1a5fb4;text-decoration:underline;">{}'
                          "</a>").format(piece.url, piece.text)
    return out


def _txt_linked(text: object) -> str:
    """Plain text keeps a link's words and shows where it goes: "Sign up here (https://…)"."""
    return "".join(p.text if p.url is None or p.text == p.url else f"{p.text} ({p.url})"
                   for p in pieces(_txt_clean(text)))


# --- blurbs per format -------------------------------------------------------------------------

def _md_blurb(item: ItemView) -> MdSafe:
    parts = item.blurb_parts
    link = safe_link(item.link)
    text = md_escape(one_line(parts.link_text))
    middle = f"[{text}]({md_url(link)})" if link else text
    before = md_escape(parts.before)
    if link and before.endswith("!"):
        before = before[:-1] + "\\!"  # "![" would start an image
    return MdSafe(before + middle + md_escape(parts.after) + md_escape(note_suffix(item.note)))


def _html_blurb(item: ItemView) -> Markup:
    parts = item.blurb_parts
    link = safe_link(item.link)
    text = escape(one_line(parts.link_text))
    if link:
        middle = Markup('<a href="{}" style="color:#1a5fb4;text-decoration:underline;">{}</a>'
                        ).format(link, text)
    else:
        middle = text
    return (escape(strip_controls(parts.before)) + middle
            + escape(strip_controls(parts.after)) + escape(note_suffix(item.note)))


def _txt_blurb(item: ItemView) -> str:
    parts = item.blurb_parts
    return strip_controls(parts.before + parts.link_text + parts.after) + note_suffix(item.note)


def _txt_clean(value: object) -> str:
    return strip_controls("" if value is None else str(value))


def _html_finalize(value: object) -> object:
    return "" if value is None else (value if isinstance(value, Markup) else
                                     strip_controls(str(value)))


def _md_finalize(value: object) -> str:
    return "" if value is None else md_escape(value)


@lru_cache(maxsize=16)
def _environment(user_dir: str | None, kind: str) -> SandboxedEnvironment:
    loaders = [FileSystemLoader(user_dir)] if user_dir else []
    loaders.append(FileSystemLoader(str(BUNDLED)))
    common: dict[str, Any] = {"loader": ChoiceLoader(loaders), "undefined": StrictUndefined,
                              "trim_blocks": True, "lstrip_blocks": True,
                              "keep_trailing_newline": True}
    if kind == "html":
        env = SandboxedEnvironment(autoescape=True, finalize=_html_finalize, **common)
        env.filters["blurb"] = _html_blurb
        env.filters["linked"] = _html_linked
    elif kind == "md":
        env = SandboxedEnvironment(autoescape=False, finalize=_md_finalize, **common)
        env.filters["blurb"] = _md_blurb
        env.filters["linked"] = _md_linked
    else:
        env = SandboxedEnvironment(autoescape=False, finalize=_txt_clean, **common)
        env.filters["blurb"] = _txt_blurb
        env.filters["linked"] = _txt_linked
    env.filters["day"] = _day
    env.filters["paragraphs"] = _paragraphs
    env.filters["url"] = safe_link
    env.filters["one_line"] = one_line
    env.filters["underline"] = lambda text, char="-": char * max(3, len(one_line(str(text))))
    return env


def visible_sections(view: EditionView) -> list[SectionView]:
    """What an export shows: sections with text or items; the blogs header only when one of
    its theme sub-sections has items."""
    out: list[SectionView] = []
    pending_header: SectionView | None = None
    for section in view.sections:
        if section.kind == "blogs":
            pending_header = section
            if section.body.strip():
                out.append(section)
                pending_header = None
            continue
        if section.kind != "theme":
            pending_header = None
        if section.items or (section.kind != "theme" and section.body.strip()):
            if pending_header is not None and section.kind == "theme":
                out.append(pending_header)
                pending_header = None
            out.append(section)
    return out


def render(view: EditionView, fmt: str, templates_dir: Path | None = None) -> str:
    """The edition as text in `fmt` (md, html, fragment, txt)."""
    key = normalise_format(fmt)
    kind = {"md": "md", "txt": "txt"}.get(key, "html")
    user_dir = str(templates_dir) if templates_dir and templates_dir.is_dir() else None
    env = _environment(user_dir, kind)
    name = FORMATS[key]
    try:
        template = env.get_template(name)
        return template.render(edition=view.info, sections=visible_sections(view),
                               all_sections=view.sections)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f" line {line}" if line else ""
        raise CuratorError(f"template {name}{where}: {one_line(str(exc), 200)}") from None


def write_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write an export atomically (see curator.safe_files): mode from the umask, symlinks kept."""
    return atomic_write(path, text.encode("utf-8"), error=CuratorError)


def user_templates(templates_dir: Path, copy: bool) -> list[tuple[str, Path, bool]]:
    """Which file each format's template comes from; with `copy`, seed the user's folder with
    the bundled templates so they can be edited (existing files are left alone)."""
    out: list[tuple[str, Path, bool]] = []
    for name in sorted(set(FORMATS.values())):
        own = templates_dir / name
        if copy and not own.exists():
            write_atomic(own, (BUNDLED / name).read_text(encoding="utf-8"))
        out.append((name, own, True) if own.is_file() else (name, BUNDLED / name, False))
    return out
