"""Fetch a page someone wants to link in the roundup and read its title, author and site.

The request goes through the same Fetcher as feed discovery (proxy and TLS settings, size cap,
redirect rules, deadline); the facilitator typed the URL, so an intranet page may be read.
"""

from __future__ import annotations

import asyncio

from curator.errors import DiscoveryError
from curator.feeds.discover import fetch, make_fetcher
from curator.feeds.opml import subscribable_url
from curator.poll.network import Network
from curator.roundup.page_meta import PageMeta, read_page


def capture_page(url: str, *, timeout: float = 10.0,
                 network: Network | None = None) -> PageMeta:
    """What the page at `url` says about itself; DiscoveryError with one line when it cannot
    be read. Synchronous: call it from a plain thread, never inside a running event loop."""
    url = subscribable_url(url)

    async def run() -> PageMeta:
        async with make_fetcher(timeout, network=network) as fetcher:
            page = await fetch(fetcher, url)
        if page.status >= 400:
            raise DiscoveryError(f"{url}: the server answered HTTP {page.status}")
        return read_page(page.body, page.content_type)

    return asyncio.run(run())
