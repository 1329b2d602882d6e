"""Unwanted bodies (304, redirects, errors) are read to the end so the connection is reused."""

from __future__ import annotations

from httpserver import FeedServer, Reply, rss

from curator.fetch import Fetcher, FetchRequest

BODY = rss([("g1", "One", "http://b.example/1")])


async def test_one_connection_serves_200_304_redirect_and_404_in_turn() -> None:
    with FeedServer() as server:
        feed = server.route("/f", Reply(body=BODY, etag='"v1"'))
        moved = server.route("/old", Reply(status=302, location="/f", body=b"moved " * 50))
        missing = server.url("/missing")
        async with Fetcher(concurrency=1, per_host=1) as fetcher:
            results = [await fetcher.fetch(FetchRequest(feed)),
                       await fetcher.fetch(FetchRequest(feed, '"v1"')),
                       await fetcher.fetch(FetchRequest(moved, '"v1"')),
                       await fetcher.fetch(FetchRequest(missing)),
                       await fetcher.fetch(FetchRequest(feed, '"v1"'))]
        assert [r.status for r in results] == [200, 304, 304, 404, 304]
        peers = {seen.peer for seen in server.requests}
        assert len(server.requests) == 6 and len(peers) == 1, peers


async def test_pooled_stream_sees_the_server_hang_up() -> None:
    """The pool's "expired?" check: an idle connection turns readable when the server closes it."""
    import asyncio

    from curator.http_transport import QuickBackend

    closed = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)  # the client's byte, then hang up
        writer.close()
        closed.set()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        stream = await QuickBackend().connect_tcp("127.0.0.1", port, timeout=5)
        assert stream.get_extra_info("is_readable") is False  # idle and open
        assert stream.get_extra_info("server_addr")[1] == port  # the rest passes through
        await stream.write(b"x", timeout=5)
        await asyncio.wait_for(closed.wait(), 5)
        for _ in range(100):  # the FIN arrives
            if stream.get_extra_info("is_readable"):
                break
            await asyncio.sleep(0.01)
        assert stream.get_extra_info("is_readable") is True
        assert await stream.read(10, timeout=5) == b""
        await stream.aclose()
