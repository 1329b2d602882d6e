"""Serialising the OPML element tree: UTF-8, two-space indents, always well-formed.

Values are escaped (including newlines and tabs inside attributes, so they survive a re-read) and
characters XML 1.0 forbids are dropped, so whatever a feed list contains, the file we write parses.
"""

from __future__ import annotations

import re

from curator.feeds.opml_read import Comment, Element, Instruction

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ATTR_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                 "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
_ATTR_RE = re.compile("[&<>\"\n\r\t]")
_TEXT_RE = re.compile("[&<>]")


def escape_attr(value: str) -> str:
    return _ATTR_RE.sub(lambda m: _ATTR_ESCAPES[m.group(0)], _FORBIDDEN.sub("", value))


def escape_text(value: str) -> str:
    return _TEXT_RE.sub(lambda m: _ATTR_ESCAPES[m.group(0)], _FORBIDDEN.sub("", value))


def _comment(text: str) -> str:
    safe = _FORBIDDEN.sub("", text)
    while "--" in safe:
        safe = safe.replace("--", "- -")
    if safe.endswith("-"):
        safe += " "
    return f"<!--{safe}-->"


def _element(element: Element, depth: int, out: list[str]) -> None:
    pad = "  " * depth
    attrs = "".join(f' {k}="{escape_attr(v)}"' for k, v in element.attrs.items())
    text = element.text.strip()
    if not element.children:
        out.append(f"{pad}<{element.tag}{attrs}>{escape_text(text)}</{element.tag}>\n" if text
                   else f"{pad}<{element.tag}{attrs}/>\n")
        return
    out.append(f"{pad}<{element.tag}{attrs}>\n")
    if text:
        out.append(f"{pad}  {escape_text(text)}\n")
    for child in element.children:
        if isinstance(child, Comment):
            out.append(f"{pad}  {_comment(child.text)}\n")
        else:
            _element(child, depth + 1, out)
    out.append(f"{pad}</{element.tag}>\n")


def _instruction(node: Instruction) -> str:
    return f"<?{node.target} {_FORBIDDEN.sub('', node.data).replace('?>', '? >')}?>"


def serialize(root: Element, prolog: list[Comment | Instruction]) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    out.extend((_comment(c.text) if isinstance(c, Comment) else _instruction(c)) + "\n"
               for c in prolog)
    _element(root, 0, out)
    return "".join(out).encode("utf-8")
