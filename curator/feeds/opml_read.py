"""Reading OPML bytes into a small element tree, safely and leniently.

Why not ElementTree directly: we need comments, attribute order and namespace prefixes kept for the
round trip, and we must refuse DTDs before expat sees them (no entity expansion, no external
entities). Real OPML is often broken (a bare `&`, HTML entities, a mislabelled encoding), so a strict
parse that fails is retried once on a repaired copy and the repairs are reported as warnings.
"""

from __future__ import annotations

import codecs
import html.entities
import re
from dataclasses import dataclass, field
from xml.parsers import expat

from curator.errors import OpmlError

MAX_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 400  # deeper trees are refused (recursion-free parse, but writers recurse)

_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']", re.S)
_XML_DECL_TEXT = re.compile(r"^\s*<\?xml[^>]*\?>")
_DTD_SUBSET = re.compile(r"<!DOCTYPE[^>\[]*\[", re.I)
_ENTITY_DECL = re.compile(r"<!ENTITY", re.I)
_BARE_AMP = re.compile(r"&(?!(?:[A-Za-z_][\w.-]*|#[0-9]+|#x[0-9A-Fa-f]+);)")
_NAMED_REF = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TAG_START = re.compile(r"<outline\b")
_ATTR_START = re.compile(r"\s*([A-Za-z_][\w:.-]*)\s*=\s*([\"'])")
_TAG_END = re.compile(r"\s*/?>")
_CLOSERS = {q: re.compile(q + r"(?=\s+[A-Za-z_][\w:.-]*\s*=\s*[\"']|\s*/?>\s*(?:<|\Z))")
            for q in "\"'"}
_CHAR_REF = re.compile(r"&#(x[0-9A-Fa-f]+|[0-9]+);")
_XML_NAMED = {"amp", "lt", "gt", "quot", "apos"}


@dataclass
class Comment:
    text: str


@dataclass
class Instruction:
    """A processing instruction before the root, e.g. <?xml-stylesheet ...?> (kept on write)."""

    target: str
    data: str


@dataclass(eq=False)
class Element:
    """An XML element with ordered raw attributes (prefixes kept) and mixed children."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Element | Comment] = field(default_factory=list)
    text: str = ""

    def elements(self, tag: str | None = None) -> list[Element]:
        return [c for c in self.children if isinstance(c, Element) and (tag is None or c.tag == tag)]

    def first(self, tag: str) -> Element | None:
        found = self.elements(tag)
        return found[0] if found else None


@dataclass
class ParsedXml:
    root: Element
    prolog: list[Comment | Instruction]  # before the root element
    warnings: list[str]


def decode(raw: bytes) -> tuple[str, list[str]]:
    """Bytes -> text: BOM, then the XML declaration, then UTF-8, then cp1252 as a last resort."""
    warnings: list[str] = []
    for bom, name in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                      (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(name), warnings
            except UnicodeDecodeError:
                raise OpmlError(f"not valid {name.upper()} text despite its byte-order mark") from None
    if raw[:4] in (b"<\0?\0", b"\0<\0?"):
        name = "utf-16-le" if raw[0] == 0x3C else "utf-16-be"
        return raw.decode(name, errors="replace"), warnings
    declared = None
    match = _DECL.match(raw[:512])
    if match:
        declared = match.group(1).decode("ascii").lower()
        try:
            codecs.lookup(declared)
        except LookupError:
            warnings.append(f"unknown encoding {declared!r}; read as UTF-8")
            declared = None
    for name in ([declared] if declared else []) + ["utf-8", "cp1252"]:
        try:
            text = raw.decode(name)
        except UnicodeDecodeError:
            continue
        if declared and name != declared:
            warnings.append(f"bytes are not {declared}; read as {name}")
        return text, warnings
    warnings.append("undecodable bytes replaced")
    return raw.decode("utf-8", errors="replace"), warnings


def refuse_dtd(text: str) -> None:
    """Entity declarations are how XML bombs and XXE work; OPML never needs them."""
    head = text[: text.find("<opml")] if "<opml" in text else text
    if _ENTITY_DECL.search(text) or _DTD_SUBSET.search(head):
        raise OpmlError("refused: the file declares a DTD or entities (possible XML bomb or XXE)")


def repair(text: str) -> tuple[str, list[str]]:
    """Fix the common breakage: bare '&', HTML entities, '<' in attributes, control characters."""
    warnings: list[str] = []
    bare = len(_BARE_AMP.findall(text))
    if bare:
        text = _BARE_AMP.sub("&amp;", text)
        warnings.append(f"repaired {bare} bare '&'")

    def named(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _XML_NAMED:
            return match.group(0)
        char = html.entities.html5.get(name + ";")
        return f"&#{ord(char[0])};" if char and len(char) == 1 else "&amp;" + name + ";"

    text = _NAMED_REF.sub(named, text)
    text, fixed = _repair_outline_tags(text)
    if fixed:
        warnings.append(f"repaired {fixed} attribute values with raw quotes or '<'")
    bad_refs = 0

    def char_ref(match: re.Match[str]) -> str:
        nonlocal bad_refs
        ref = match.group(1)
        code = int(ref[1:], 16) if ref[0] == "x" else int(ref)
        if _xml_char(code):
            return match.group(0)
        bad_refs += 1
        return ""

    text = _CHAR_REF.sub(char_ref, text)
    if bad_refs:
        warnings.append(f"removed {bad_refs} references to characters XML forbids")
    if _BAD_CHARS.search(text):
        text = _BAD_CHARS.sub("", text)
        warnings.append("removed control characters")
    return text, warnings


def _xml_char(code: int) -> bool:
    return (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF)


def _repair_outline_tags(text: str) -> tuple[str, int]:
    """Escape stray quotes and '<' inside <outline> attribute values (a value ends at a quote
    followed by another attribute or the end of the tag)."""
    out: list[str] = []
    pos = fixed = 0
    for start in _TAG_START.finditer(text):
        if start.start() < pos:
            continue
        out.append(text[pos:start.end()])
        pos = start.end()
        while (attr := _ATTR_START.match(text, pos)) is not None:
            quote = attr.group(2)
            close = _CLOSERS[quote].search(text, attr.end(), attr.end() + 20_000)
            if close is None:
                break
            value = text[attr.end():close.start()]
            safe = value.replace("<", "&lt;").replace(quote, "&quot;" if quote == '"' else "&apos;")
            fixed += safe != value
            out.append(text[pos:attr.end()] + safe + quote)
            pos = close.end()
    out.append(text[pos:])
    return "".join(out), fixed


class _Builder:
    def __init__(self) -> None:
        self.stack: list[Element] = []
        self.root: Element | None = None
        self.prolog: list[Comment | Instruction] = []

    def start(self, tag: str, attrs: list[str]) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise OpmlError(f"refused: outlines nested more than {MAX_DEPTH} levels deep")
        element = Element(tag, dict(zip(attrs[::2], attrs[1::2], strict=True)))
        if self.stack:
            self.stack[-1].children.append(element)
        elif self.root is None:
            self.root = element
        self.stack.append(element)

    def end(self, _tag: str) -> None:
        self.stack.pop()

    def data(self, text: str) -> None:
        if self.stack:
            self.stack[-1].text += text

    def instruction(self, target: str, data: str) -> None:
        if self.root is None and target.lower() != "xml":
            self.prolog.append(Instruction(target, data))

    def comment(self, text: str) -> None:
        if self.stack:
            self.stack[-1].children.append(Comment(text))
        elif self.root is None:
            self.prolog.append(Comment(text))


def _refuse_decl(*_args: object) -> None:
    raise OpmlError("refused: the file declares entities (possible XML bomb or XXE)")


def _expat(text: str) -> tuple[Element, list[Comment | Instruction]]:
    builder = _Builder()
    parser = expat.ParserCreate()
    parser.ordered_attributes = True
    parser.buffer_text = True
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.CommentHandler = builder.comment
    parser.ProcessingInstructionHandler = builder.instruction
    parser.EntityDeclHandler = _refuse_decl
    parser.UnparsedEntityDeclHandler = _refuse_decl
    parser.ExternalEntityRefHandler = lambda *a: 0  # never fetch anything
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.Parse(_XML_DECL_TEXT.sub("", text, count=1), True)
    if builder.root is None:
        raise OpmlError("no XML element found")
    return builder.root, builder.prolog


def parse_xml(raw: bytes) -> ParsedXml:
    """Parse OPML bytes; strict first, then one lenient retry. Raises OpmlError with one line."""
    if len(raw) > MAX_BYTES:
        raise OpmlError(f"refused: file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    if not raw.strip():
        raise OpmlError("the file is empty")
    text, warnings = decode(raw)
    refuse_dtd(text)
    try:
        root, prolog = _expat(text)
    except expat.ExpatError:
        fixed, repairs = repair(text)
        try:
            root, prolog = _expat(fixed)
        except expat.ExpatError as exc:
            raise OpmlError(f"not well-formed XML: {expat.ErrorString(exc.code)} at line "
                            f"{exc.lineno}") from None
        warnings.extend(repairs)
    return ParsedXml(root, prolog, warnings)
