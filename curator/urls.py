"""URL rules shared by OPML, discovery, fetching, storing and export.

- `check_feed_url`: only http(s) URLs with a host are subscribed or fetched; `file:`, `javascript:`,
  `data:` and friends are refused with a clear message.
- `normalise_feed_url`: the key that decides whether two subscriptions are the same feed.
- `canonical_link`: a post's link made absolute with tracking parameters removed, so the same story
  from two feeds is recognised.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, unquote_plus, urlencode, urljoin, urlsplit, urlunsplit

from curator.errors import UnsafeUrlError

SAFE_SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_hsenc",
    "_hsmi", "mkt_tok", "ref_src", "wt.mc_id", "oly_anon_id", "oly_enc_id", "vero_id", "__s",
})


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("utm_") or lowered in TRACKING_PARAMS


def check_feed_url(url: str) -> str:
    """Return the URL stripped of whitespace, or raise UnsafeUrlError saying why it is refused."""
    candidate = (url or "").strip()
    if not candidate:
        raise UnsafeUrlError("empty URL")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in candidate):
        raise UnsafeUrlError(f"URL contains control characters: {candidate!r}")
    parts = urlsplit(candidate)
    scheme = parts.scheme.lower()
    if scheme not in SAFE_SCHEMES:
        shown = scheme + ":" if scheme else "no scheme"
        raise UnsafeUrlError(f"refused URL {candidate[:200]!r}: {shown} is not http or https")
    if not parts.hostname:
        raise UnsafeUrlError(f"refused URL {candidate[:200]!r}: no host name")
    try:
        _ = parts.port
    except ValueError:
        raise UnsafeUrlError(f"refused URL {candidate[:200]!r}: bad port") from None
    return candidate


@lru_cache(maxsize=8192)  # pure, and views, exports and section texts repeat their links
def safe_link(url: str | None) -> str | None:
    """The URL if it is http(s), else None: used before a link is shown or exported."""
    if not url:
        return None
    try:
        return check_feed_url(url)
    except UnsafeUrlError:
        return None


def _netloc(scheme: str, parts) -> str:  # type: ignore[no-untyped-def]
    """The canonical netloc: lower-case host, no default port, user info kept."""
    netloc = parts.netloc
    if "@" not in netloc and ":" not in netloc and "[" not in netloc and "%" not in netloc:
        # a bare host name (the usual case): no port, user, IPv6 brackets or zone to parse
        return netloc.lower().rstrip(".")
    return _netloc_parsed(scheme, parts)


def _netloc_parsed(scheme: str, parts) -> str:  # type: ignore[no-untyped-def]
    host = (parts.hostname or "").lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    userinfo = ""
    if parts.username:
        userinfo = parts.username + (f":{parts.password}" if parts.password else "") + "@"
    if port and port != _DEFAULT_PORTS.get(scheme):
        return f"{userinfo}{host}:{port}"
    return f"{userinfo}{host}"


def normalise_feed_url(url: str) -> str:
    """Case-fold scheme and host, drop default port and fragment: equal keys = same feed."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    path = parts.path or "/"
    return urlunsplit((scheme, _netloc(scheme, parts), path, parts.query, ""))


# An absolute link that is canonical already but for a missing "/" path: lower-case http(s),
# a bare lower-case host, no query or fragment (the usual permalink; urlsplit and urlunsplit
# would give it back unchanged). Anything else takes the full route below.
_PLAIN = re.compile(r"https?://[a-z0-9-]+(?:\.[a-z0-9-]+)*(?:/[^\s?#]*)?")


def canonical_link(link: str | None, base: str | None = None) -> str | None:
    """Absolute http(s) link without fragment or tracking parameters; None if unusable."""
    if not link:
        return None
    link = link.strip()
    if _PLAIN.fullmatch(link):
        return link if link.count("/") > 2 else link + "/"
    return _canonical(link, base)


def _canonical(link: str, base: str | None) -> str | None:
    if base and not link.lower().startswith(("http://", "https://")):  # absolute: nothing to join
        try:
            link = urljoin(base, link)
        except ValueError:
            return None
    try:
        parts = urlsplit(link)
        scheme = parts.scheme.lower()
        if scheme not in SAFE_SCHEMES or not parts.hostname:
            return None
        query = parts.query and urlencode(
            [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not is_tracking_param(k)])
        return urlunsplit((scheme, _netloc(scheme, parts), parts.path or "/", query, ""))
    except ValueError:
        return None


def author_link(link: str | None, base: str | None = None) -> str | None:
    """The link as its author wrote it, made absolute: what exports and the browser get.

    `canonical_link` is the key that recognises one story in two feeds; rewriting a query
    (`?amp` to `?amp=`, `%20` to `+`) is harmless there but may break the author's page. Here
    only tracking parameters (utm_*, fbclid...) are dropped, every other byte is kept, fragment
    included. None when the link is not a usable http(s) URL.
    """
    if not link:
        return None
    link = link.strip()
    if base and not link.lower().startswith(("http://", "https://")):
        try:
            link = urljoin(base, link)
        except ValueError:
            return None
    return safe_link(_drop_tracking(link.replace(" ", "%20")))


def _drop_tracking(link: str) -> str:
    """The link without tracking parameters, the rest of its query left exactly as written."""
    head, mark, rest = link.partition("?")
    if not mark:
        return link
    query, hash_mark, fragment = rest.partition("#")
    kept = [part for part in query.split("&")
            if not is_tracking_param(unquote_plus(part.partition("=")[0]))]
    query = "&".join(kept)
    return head + ("?" + query if query else "") + hash_mark + fragment


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def hide_password(location: str) -> str:
    """A database location fit to print: `postgresql://user:***@host/db` (files as they are)."""
    if "://" not in location:
        return location
    parts = urlsplit(location)
    if parts.password is None:
        return location
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))
