"""Check an edition's links over HTTP before it goes out: dead (error or 4xx/5xx) or redirected.

HEAD first (cheap), falling back to a streamed GET for servers that refuse HEAD. One shared
client, bounded concurrency, a timeout per request; only http(s) links are ever requested.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import TYPE_CHECKING

from curator.roundup.views import LinkResult
from curator.text import one_line
from curator.urls import safe_link
from curator.useragent import user_agent

if TYPE_CHECKING:
    import httpx

USER_AGENT = user_agent("link check")
HEAD_REFUSED = {403, 405, 501}


async def _check_one(client: httpx.AsyncClient, url: str, gate: asyncio.Semaphore) -> LinkResult:
    import httpx

    async with gate:
        try:
            response = await client.head(url)
            if response.status_code in HEAD_REFUSED:
                async with client.stream("GET", url) as streamed:
                    response = streamed
        except httpx.TooManyRedirects:
            return LinkResult(url, "dead", error="too many redirects")
        except httpx.HTTPError as exc:
            return LinkResult(url, "dead", error=one_line(f"{type(exc).__name__}: {exc}", 200))
    final = str(response.url)
    if response.status_code >= 400:
        return LinkResult(url, "dead", response.status_code, final,
                          f"HTTP {response.status_code}")
    if response.history:
        return LinkResult(url, "redirected", response.history[0].status_code, final)
    return LinkResult(url, "ok", response.status_code, final)


async def check_urls_async(urls: Iterable[str], *, timeout: float = 10.0, concurrency: int = 8,
                           max_redirects: int = 5) -> list[LinkResult]:
    """One result per distinct URL, in first-seen order; unsafe URLs are reported dead unasked."""
    import httpx  # here, not at the top: `import httpx` also loads click and rich (httpx._main)

    ordered = list(dict.fromkeys(urls))
    gate = asyncio.Semaphore(max(1, concurrency))
    async with httpx.AsyncClient(follow_redirects=True, max_redirects=max_redirects,
                                 timeout=timeout, headers={"User-Agent": USER_AGENT}) as client:

        async def run(url: str) -> LinkResult:
            if safe_link(url) is None:
                return LinkResult(url, "dead", error="not an http(s) link")
            return await _check_one(client, url, gate)

        return list(await asyncio.gather(*(run(u) for u in ordered)))


def check_urls(urls: Iterable[str], **kwargs: float | int) -> list[LinkResult]:
    """Blocking wrapper for the CLI and TUI worker threads."""
    return asyncio.run(check_urls_async(urls, **kwargs))  # type: ignore[arg-type]
