"""Unwanted bodies (304, redirects, errors) are read to the end so the connection is reused."""

from __future__ import annotations

from httpserver import FeedServer, Reply, rss

from curator.poll.fetch import Fetcher, FetchRequest

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
