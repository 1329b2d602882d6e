"""Fetching against a real loopback server: conditional GET, redirects, caps and deadlines."""

from __future__ import annotations

import gzip
import zlib

from httpserver import FeedServer, Reply, rss

from curator.poll.fetch import USER_AGENT, Fetcher, FetchRequest

BODY = rss([("g1", "One", "http://b.example/1")])


async def fetch(url: str, **kwargs: object) -> object:
    request = kwargs.pop("request", None) or FetchRequest(url)
    async with Fetcher(**kwargs) as fetcher:  # type: ignore[arg-type]
        return await fetcher.fetch(request)  # type: ignore[arg-type]


async def test_200_then_304_sends_validators_verbatim() -> None:
    with FeedServer() as server:
        url = server.route("/f", Reply(body=BODY, etag='W/"abc"',
                                       last_modified="Mon, 02 Nov 2026 10:00:00 GMT"))
        first = await fetch(url)
        assert first.status == 200 and first.body == BODY
        assert first.headers["etag"] == 'W/"abc"'
        second = await fetch(url, request=FetchRequest(url, 'W/"abc"',
                                                       "Mon, 02 Nov 2026 10:00:00 GMT"))
        assert second.status == 304 and second.body is None
        sent = server.requests[-1].headers
        assert sent["if-none-match"] == 'W/"abc"'
        assert sent["if-modified-since"] == "Mon, 02 Nov 2026 10:00:00 GMT"
        assert sent["user-agent"] == USER_AGENT and "curator/" in USER_AGENT
        assert "gzip" in sent["accept-encoding"] and "cookie" not in sent


async def test_permanent_chain_vs_temporary_hop() -> None:
    with FeedServer() as server:
        target = server.route("/new", Reply(body=BODY))
        server.route("/a", Reply(status=301, location="/b"))
        server.route("/b", Reply(status=308, location=target))
        result = await fetch(server.url("/a"))
        assert result.status == 200 and result.hops == [301, 308]
        assert result.permanent_target == target
        server.route("/c", Reply(status=301, location="/d"))
        server.route("/d", Reply(status=302, location="/new"))
        result = await fetch(server.url("/c"))
        assert result.status == 200 and result.permanent_target is None


async def test_redirect_loop_and_too_many() -> None:
    with FeedServer() as server:
        server.route("/x", Reply(status=301, location="/y"))
        server.route("/y", Reply(status=301, location="/x"))
        result = await fetch(server.url("/x"))
        assert result.error_kind == "redirect" and "loop" in result.error
        for i in range(8):
            server.route(f"/r{i}", Reply(status=302, location=f"/r{i + 1}"))
        result = await fetch(server.url("/r0"))
        assert result.error_kind == "redirect" and "more than" in result.error


async def test_redirect_to_file_scheme_refused() -> None:
    with FeedServer() as server:
        url = server.route("/evil", Reply(status=301, location="file:///etc/passwd"))
        result = await fetch(url)
        assert result.error_kind == "redirect" and result.body is None


async def test_slow_drip_hits_the_overall_deadline() -> None:
    with FeedServer() as server:
        url = server.route("/drip", Reply(body=BODY, drip=0.05))  # ~10 s in total
        result = await fetch(url, deadline=1.0)
        assert result.error_kind == "timeout" and result.elapsed < 3


async def test_gzip_bomb_stops_at_the_cap() -> None:
    bomb = gzip.compress(b"\0" * (256 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 1024 * 1024
    with FeedServer() as server:
        url = server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
        result = await fetch(url, max_body=2 * 1024 * 1024)
        assert result.error_kind == "too_big" and result.body is None


async def test_gzip_and_deflate_bodies_decoded() -> None:
    with FeedServer() as server:
        gz = server.route("/gz", Reply(body=gzip.compress(BODY),
                                       headers={"Content-Encoding": "gzip"}))
        raw = zlib.compressobj(wbits=-15)
        df = server.route("/df", Reply(body=raw.compress(BODY) + raw.flush(),
                                       headers={"Content-Encoding": "deflate"}))
        assert (await fetch(gz)).body == BODY
        assert (await fetch(df)).body == BODY


async def test_truncated_body_is_an_error() -> None:
    with FeedServer() as server:
        url = server.route("/cut", Reply(body=BODY, truncate_at=40))
        result = await fetch(url)
        assert result.error_kind == "network" and result.body is None


async def test_connection_refused_is_an_error_not_an_exception() -> None:
    with FeedServer() as server:
        url = server.url("/gone")
    result = await fetch(url)
    assert result.error_kind == "network" and result.status is None


async def test_paused_host_is_skipped() -> None:
    with FeedServer() as server:
        url = server.route("/f", Reply(body=BODY))
        async with Fetcher() as fetcher:
            fetcher.pause_host("127.0.0.1", 60)
            result = await fetcher.fetch(FetchRequest(url))
        assert result.error_kind == "host_paused" and server.hits("/f") == 0


async def test_cookies_are_never_sent_back() -> None:
    with FeedServer() as server:
        url = server.route("/c", Reply(body=BODY, headers={"Set-Cookie": "track=1; Path=/"}))
        async with Fetcher() as fetcher:
            await fetcher.fetch(FetchRequest(url))
            await fetcher.fetch(FetchRequest(url))
        assert "cookie" not in server.requests[-1].headers


async def test_truncate_keeps_exactly_the_cap_for_plain_and_gzip_bodies() -> None:
    page = b"<html>" + b"x" * 5000
    with FeedServer() as server:
        plain = server.route("/p", Reply(body=page, content_type="text/html"))
        gz = server.route("/g", Reply(body=gzip.compress(b"\0" * (8 * 1024 * 1024)),
                                      headers={"Content-Encoding": "gzip"}))
        small = server.route("/s", Reply(body=BODY))
        async with Fetcher(max_body=1000, truncate=True) as fetcher:
            cut = await fetcher.fetch(FetchRequest(plain))
            bomb = await fetcher.fetch(FetchRequest(gz))
            whole = await fetcher.fetch(FetchRequest(small))
        assert cut.error is None and cut.body == page[:1000] and cut.truncated
        assert bomb.error is None and bomb.body == b"\0" * 1000 and bomb.truncated
        assert whole.body == BODY[:1000] and whole.truncated == (len(BODY) > 1000)
        refused = await fetch(plain, max_body=1000)  # the poller's default: too big is an error
        assert refused.error_kind == "too_big" and not refused.truncated


async def test_url_guard_refuses_a_hop_before_it_is_requested() -> None:
    with FeedServer() as server:
        target = server.route("/private", Reply(body=BODY))
        server.route("/a", Reply(status=302, location="/b"))
        server.route("/b", Reply(status=301, location="/private"))
        seen: list[str] = []

        def guard(url: str) -> str | None:
            seen.append(url)
            return "private address" if url.endswith("/private") else None

        result = await fetch(server.url("/a"), url_guard=guard)
        assert result.error_kind == "unsafe_redirect" and "private address" in result.error
        assert result.hops == [302] and result.hop_urls == [server.url("/b")]
        assert seen == [server.url("/b"), target] and server.hits("/private") == 0
        allowed = await fetch(server.url("/a"))  # no guard: only the scheme rule applies
        assert allowed.status == 200 and allowed.hop_urls == [server.url("/b"), target]


async def test_accept_and_user_agent_can_be_set_per_fetcher() -> None:
    with FeedServer() as server:
        url = server.route("/f", Reply(body=BODY))
        await fetch(url, accept="text/html", agent="curator/test (probe)")
        sent = server.requests[-1].headers
        assert (sent["accept"], sent["user-agent"]) == ("text/html", "curator/test (probe)")
        await fetch(url)
        assert server.requests[-1].headers["user-agent"] == USER_AGENT


async def test_head_status_only_and_redirect_cap_are_opt_in() -> None:
    with FeedServer() as server:
        url = server.route("/f", Reply(body=BODY))
        server.route("/a", Reply(status=302, location="/b"))
        server.route("/b", Reply(status=302, location="/f"))
        async with Fetcher(status_only=True, max_redirects=1) as fetcher:
            head = await fetcher.fetch(FetchRequest(url, method="HEAD"))
            bare = await fetcher.fetch(FetchRequest(url))
            capped = await fetcher.fetch(FetchRequest(server.url("/a")))
        assert head.status == 501 and server.hits("/f") == 1  # FeedServer has no HEAD: not a GET
        assert (bare.status, bare.body, bare.headers["content-length"]) == (200, None,
                                                                            str(len(BODY)))
        assert capped.error_kind == "redirect" and capped.error == "more than 1 redirects"
        default = await fetch(server.url("/a"))  # the defaults: GET, body kept, 5 redirects
        assert default.status == 200 and default.body == BODY and default.hops == [302, 302]
