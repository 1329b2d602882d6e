"""The OPML feed list as a document curator can edit without losing what it does not understand.

feeds.opml is the source of truth for subscriptions, and people edit it by hand, so a read-modify-
write keeps outline order, folders, head fields, comments and unknown attributes. A feed is an
`<outline>` with an `xmlUrl` (type `rss`, `atom` or none); its folder path ("Parent/Child") is its
category. curator's own per-feed data lives in attributes of the `CURATOR_NS` namespace.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from curator.errors import NotFoundError, OpmlError, UnsafeUrlError
from curator.feeds.opml_read import Comment, Element, Instruction, parse_xml
from curator.feeds.opml_write import serialize
from curator.poll.address_guard import literal_refusal
from curator.text import one_line
from curator.urls import check_feed_url, normalise_feed_url

CURATOR_NS = "https://curator.invalid/ns/1"
PREFIX = "curator"
FEED_TYPES = frozenset({"", "rss", "atom"})
MAX_CATEGORY_DEPTH = 8
KNOWN_VERSIONS = frozenset({"1.0", "1.1", "2.0"})
_CURATOR_FIELDS = {"person": "curator:person", "org": "curator:org", "theme": "curator:theme"}


def subscribable_url(url: str) -> str:
    """A URL curator will subscribe to: http(s), not link-local; `feed:` aliases unwrapped."""
    candidate = (url or "").strip()
    lowered = candidate.lower()
    if lowered.startswith("feed:https://") or lowered.startswith("feed:http://"):
        candidate = candidate[5:]
    elif lowered.startswith("feed://"):
        candidate = "http://" + candidate[7:]
    candidate = check_feed_url(candidate)
    host = urlsplit(candidate).hostname or ""
    why = literal_refusal(host)
    if why:
        raise UnsafeUrlError(f"refused URL {candidate[:200]!r}: {why}")
    if urlsplit(candidate).port == 0:
        raise UnsafeUrlError(f"refused URL {candidate[:200]!r}: port 0")
    return candidate


@dataclass(frozen=True)
class OpmlFeed:
    """What curator models of one subscription (everything else in the outline is kept as is)."""

    url: str
    title: str | None = None
    html_url: str | None = None
    person: str | None = None
    org: str | None = None
    theme: str | None = None
    category: str | None = None


@dataclass
class Entry:
    feed: OpmlFeed
    element: Element
    parent: Element


def _attr(element: Element, name: str) -> str | None:
    """Attribute lookup forgiving of case (`xmlurl`, `htmlURL` occur in the wild)."""
    if name in element.attrs:
        return element.attrs[name]
    lowered = name.lower()
    for key, value in element.attrs.items():
        if key.lower() == lowered:
            return value
    return None


def _key(element: Element, name: str) -> str:
    lowered = name.lower()
    return next((k for k in element.attrs if k.lower() == lowered), name)


def _clean(value: str | None) -> str | None:
    cleaned = one_line(value) if value is not None else ""
    return cleaned or None


def is_feed(element: Element) -> bool:
    if element.tag != "outline":
        return False
    url = _attr(element, "xmlUrl")
    return bool(url and url.strip()) and (_attr(element, "type") or "").strip().lower() in FEED_TYPES


def outline_name(element: Element) -> str | None:
    return _clean(_attr(element, "text")) or _clean(_attr(element, "title"))


def _canonicalise_namespaces(root: Element) -> None:
    """Map whatever prefix binds CURATOR_NS to `curator:`, and move a foreign `curator` prefix away."""
    ours = {k[6:] for e in _walk(root) for k, v in e.attrs.items()
            if k.startswith("xmlns:") and v == CURATOR_NS}
    foreign = any(e.attrs.get("xmlns:curator", CURATOR_NS) != CURATOR_NS for e in _walk(root))
    for element in _walk(root):
        renamed: dict[str, str] = {}
        for key, value in element.attrs.items():
            prefix, _, local = key.partition(":")
            if key.startswith("xmlns:") and value == CURATOR_NS:
                continue
            if local and prefix in ours:
                key = f"{PREFIX}:{local}"
            elif foreign and prefix == PREFIX:
                key = f"ns-foreign-{PREFIX}:{local}"
            elif foreign and key == f"xmlns:{PREFIX}":
                key = f"xmlns:ns-foreign-{PREFIX}"
            renamed[key] = value
        element.attrs = renamed
    root.attrs[f"xmlns:{PREFIX}"] = CURATOR_NS


def _walk(root: Element) -> Iterator[Element]:
    stack = [root]
    while stack:
        element = stack.pop()
        yield element
        stack.extend(reversed(element.elements()))


class OpmlDocument:
    """A parsed OPML file; mutate it with add/update/remove, then `to_bytes()`."""

    def __init__(self, root: Element, prolog: list[Comment | Instruction] | None = None,
                 warnings: list[str] | None = None) -> None:
        self.root = root
        self.prolog = prolog or []
        self.warnings = warnings or []

    # reading --------------------------------------------------------------------------------
    @classmethod
    def from_bytes(cls, raw: bytes) -> OpmlDocument:
        parsed = parse_xml(raw)
        root = parsed.root
        if root.tag.rpartition(":")[2].lower() != "opml":
            raise OpmlError(f"not an OPML file: the root element is <{root.tag[:40]}>, not <opml>")
        if root.first("body") is None:
            raise OpmlError("not a usable OPML file: it has no <body> element")
        version = root.attrs.get("version", "").strip()
        if version not in KNOWN_VERSIONS:
            parsed.warnings.append(f"unknown OPML version {version[:20]!r}; read as OPML 2.0")
        _canonicalise_namespaces(root)
        return cls(root, parsed.prolog, parsed.warnings)

    @classmethod
    def load(cls, path: Path) -> OpmlDocument:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise OpmlError(f"OPML file not found: {path}") from None
        except IsADirectoryError:
            raise OpmlError(f"OPML path is a folder, not a file: {path}") from None
        except OSError as exc:
            raise OpmlError(f"cannot read {path}: {exc.strerror or exc}") from None
        try:
            return cls.from_bytes(raw)
        except OpmlError as exc:
            raise OpmlError(f"{path.name}: {exc}") from None

    @classmethod
    def new(cls, title: str = "curator feeds") -> OpmlDocument:
        head = Element("head", children=[Element("title", text=title)])
        root = Element("opml", {"version": "2.0", f"xmlns:{PREFIX}": CURATOR_NS},
                       [head, Element("body")])
        return cls(root)

    @property
    def head(self) -> Element:
        head = self.root.first("head")
        if head is None:
            head = Element("head")
            self.root.children.insert(0, head)
        return head

    @property
    def body(self) -> Element:
        body = self.root.first("body")
        assert body is not None  # checked in from_bytes / created in new
        return body

    @property
    def title(self) -> str | None:
        element = self.head.first("title")
        return _clean(element.text) if element is not None else None

    def entries(self) -> list[Entry]:
        """Every feed outline in document order, with its folder path (iterative: no recursion)."""
        found: list[Entry] = []
        stack: list[tuple[Element, tuple[str, ...], Element]] = [
            (c, (), self.body) for c in reversed(self.body.elements("outline"))]
        while stack:
            element, path, parent = stack.pop()
            if is_feed(element):
                found.append(Entry(self._feed_of(element, path), element, parent))
            kids = element.elements("outline")
            if kids:
                name = (outline_name(element) or "(untitled)").replace("/", "-")
                sub = path + (name,) if len(path) < MAX_CATEGORY_DEPTH else path
                stack.extend((k, sub, element) for k in reversed(kids))
        return found

    def feeds(self) -> list[OpmlFeed]:
        return [entry.feed for entry in self.entries()]

    @staticmethod
    def _feed_of(element: Element, path: tuple[str, ...]) -> OpmlFeed:
        return OpmlFeed(
            url=(_attr(element, "xmlUrl") or "").strip(),
            title=outline_name(element),
            html_url=_clean(_attr(element, "htmlUrl")),
            person=_clean(element.attrs.get("curator:person")),
            org=_clean(element.attrs.get("curator:org")),
            theme=_clean(element.attrs.get("curator:theme")),
            category="/".join(path) or None,
        )

    def find(self, url: str) -> Entry | None:
        key = normalise_feed_url(url)
        return next((e for e in self.entries() if normalise_feed_url(e.feed.url) == key), None)

    def _require(self, url: str) -> Entry:
        entry = self.find(url)
        if entry is None:
            raise NotFoundError(f"no feed with URL {url} in the feed list")
        return entry

    # editing --------------------------------------------------------------------------------
    @property
    def namespaces(self) -> dict[str, str]:
        return {k[6:]: v for k, v in self.root.attrs.items() if k.startswith("xmlns:")}

    def add(self, feed: OpmlFeed, extra: dict[str, str] | None = None,
            namespaces: dict[str, str] | None = None) -> OpmlFeed:
        """Append a feed outline to its folder (created at the end when missing).

        `extra` are attributes copied from another file's outline (an import); prefixed ones keep
        their namespace declaration from `namespaces`, or are dropped when it would clash.
        """
        attrs: dict[str, str] = {}
        for key, value in (extra or {}).items():
            prefix, _, local = key.partition(":")
            if key.startswith("xmlns"):
                continue
            if local and prefix not in (PREFIX, "xml"):
                uri = (namespaces or {}).get(prefix)
                if uri is None or self.root.attrs.setdefault(f"xmlns:{prefix}", uri) != uri:
                    continue
            attrs[key] = value
        if not attrs:
            attrs = {"type": "rss", "text": feed.title or feed.url}
            if feed.title:
                attrs["title"] = feed.title
            attrs["xmlUrl"] = feed.url
        element = Element("outline", attrs)
        self._apply(element, replace(feed, category=None), clear=False)
        self._folder(feed.category).children.append(element)
        path = tuple(p.strip() for p in (feed.category or "").split("/") if p.strip())
        return self._feed_of(element, path)

    def update(self, target: str, /, **changes: str | None) -> OpmlFeed:
        """Change modelled fields of one feed; a value of None leaves it, "" clears it."""
        entry = self._require(target)
        unknown = set(changes) - {"url", "title", "html_url", "person", "org", "theme", "category"}
        if unknown:
            raise ValueError(f"unknown feed fields: {sorted(unknown)}")
        wanted = {k: v for k, v in changes.items() if v is not None}
        self._apply(entry.element, replace(entry.feed, **{k: v for k, v in wanted.items()
                                                           if k != "category"}), clear=True)
        if "category" in wanted and (wanted["category"] or None) != entry.feed.category:
            self._detach(entry.element, entry.parent)
            self._folder(wanted["category"] or None).children.append(entry.element)
        return self._require(wanted.get("url") or entry.feed.url).feed

    def remove(self, url: str) -> OpmlFeed:
        entry = self._require(url)
        self._detach(entry.element, entry.parent)
        return entry.feed

    def _apply(self, element: Element, feed: OpmlFeed, *, clear: bool) -> None:
        attrs = element.attrs
        attrs[_key(element, "xmlUrl")] = feed.url.strip()
        if feed.title:
            attrs[_key(element, "text")] = feed.title
            attrs[_key(element, "title")] = feed.title
        values = {"htmlUrl": feed.html_url, **{v: getattr(feed, k) for k, v in _CURATOR_FIELDS.items()}}
        for name, value in values.items():
            key = _key(element, name)
            if value:
                attrs[key] = value
            elif clear:
                attrs.pop(key, None)
        attrs.setdefault("text", feed.title or feed.url)

    def _folder(self, category: str | None) -> Element:
        """The outline for a "Parent/Child" path, created (at the end) where missing."""
        node = self.body
        for name in [p.strip() for p in (category or "").split("/") if p.strip()]:
            match = next((c for c in node.elements("outline")
                          if not is_feed(c) and outline_name(c) == name), None)
            if match is None:
                match = Element("outline", {"text": name, "title": name})
                node.children.append(match)
            node = match
        return node

    def _detach(self, element: Element, parent: Element) -> None:
        """Remove an outline; folders it leaves empty are removed too."""
        parent.children.remove(element)
        while parent is not self.body and not parent.elements() and not is_feed(parent):
            grand = next(e for e in _walk(self.root) if any(c is parent for c in e.children))
            grand.children.remove(parent)
            parent = grand

    # writing --------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        self.root.attrs["version"] = "2.0"
        self.root.attrs[f"xmlns:{PREFIX}"] = CURATOR_NS
        if self.head.first("title") is None:
            self.head.children.insert(0, Element("title", text="curator feeds"))
        return serialize(self.root, self.prolog)
