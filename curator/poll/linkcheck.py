"""Check an edition's links over HTTP before it goes out: dead (error or 4xx/5xx) or redirected.

HEAD first (cheap), falling back to GET for servers that refuse HEAD; only status and final URL
matter, so no body is kept. All requests go through curator.poll.fetch.Fetcher, the poller's client:
one shared connection pool, bounded concurrency overall and per host, a deadline per request,
redirects followed hop by hop with a cap and loop detection, a host that answered 429/503 left
alone for the rest of the run, no cookies. Only http(s) links are ever requested.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from curator.poll.fetch import MAX_REDIRECTS, Fetcher, FetchRequest, FetchResult
from curator.poll.network import Network
from curator.poll.useragent import user_agent
from curator.roundup.views import LinkResult
from curator.text import one_line
from curator.urls import safe_link

USER_AGENT = user_agent("link check")
HEAD_REFUSED = {403, 405, 501}
PER_HOST = 4  # an edition often links one host many times: ask it a few at a time


def _verdict(url: str, result: FetchResult) -> LinkResult:
    """One link's LinkResult from what the Fetcher saw."""
    if result.error or result.status is None:
        error = result.error or "no answer"
        if result.error_kind == "redirect" and error.startswith(("redirect loop", "more than")):
            error = "too many redirects"
        return LinkResult(url, "dead", error=one_line(error, 200))
    if result.status >= 400:
        return LinkResult(url, "dead", result.status, result.final_url, f"HTTP {result.status}")
    if result.hops:
        return LinkResult(url, "redirected", result.hops[0], result.final_url)
    return LinkResult(url, "ok", result.status, result.final_url)


async def _check_one(fetcher: Fetcher, url: str) -> LinkResult:
    # links come from other people's feeds: private addresses only with [network] allow_private
    result = await fetcher.fetch(FetchRequest(url, method="HEAD", trust_private=False))
    if result.error is None and result.status in HEAD_REFUSED:
        result = await fetcher.fetch(FetchRequest(url, trust_private=False))
    return _verdict(url, result)


async def check_urls_async(urls: Iterable[str], *, timeout: float = 10.0, concurrency: int = 8,
                           max_redirects: int = MAX_REDIRECTS,
                           network: Network | None = None) -> list[LinkResult]:
    """One result per distinct URL, in first-seen order; unsafe URLs are reported dead unasked.

    `timeout` bounds connecting and each read; a whole request (every hop) gets twice that.
    """
    ordered = list(dict.fromkeys(urls))
    async with Fetcher(concurrency=concurrency, per_host=min(PER_HOST, max(1, concurrency)),
                       deadline=2 * timeout, connect_timeout=timeout, read_timeout=timeout,
                       accept="*/*", agent=USER_AGENT, status_only=True,
                       max_redirects=max_redirects, network=network) as fetcher:

        async def run(url: str) -> LinkResult:
            if safe_link(url) is None:
                return LinkResult(url, "dead", error="not an http(s) link")
            return await _check_one(fetcher, url)

        return list(await asyncio.gather(*(run(u) for u in ordered)))


def check_urls(urls: Iterable[str], *, timeout: float = 10.0, concurrency: int = 8,
               max_redirects: int = MAX_REDIRECTS,
               network: Network | None = None) -> list[LinkResult]:
    """Blocking wrapper for the CLI and TUI worker threads (never call it inside an event loop)."""
    return asyncio.run(check_urls_async(urls, timeout=timeout, concurrency=concurrency,
                                        max_redirects=max_redirects, network=network))
