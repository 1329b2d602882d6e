"""No feed reaches an internal address: every spelling, every route, the address really used.

Nothing here ever connects to 169.254.169.254 or fe80::: a refused address is refused before any
socket opens, which the tests check by counting what the loopback servers and the resolver saw.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json

import pytest
from click.testing import CliRunner
from httpserver import FeedServer, Reply, rss
from pollkit import make_curator

from curator.cli import main
from curator.errors import DiscoveryError
from curator.feeds.discover import discover_feed
from curator.poll import fetch as fetch_module
from curator.poll.address_guard import classify, literal_refusal, parse_ip, refusal
from curator.poll.fetch import Fetcher, FetchRequest
from curator.poll.network import Network
from curator.poll.transport import Resolver

METADATA_SPELLINGS = ["169.254.169.254", "2852039166", "0xa9fea9fe", "169.254.169.254.",
                      "0251.0376.0251.0376", "[::ffff:169.254.169.254]", "0xa9.0xfe.0xa9.0xfe",
                      "169.254.43518"]
LINK_LOCAL = ["[fe80::1]", "[fe80::abcd:1234]", "[febf::1]", "169.254.1.1"]
FEED = rss([("g1", "Post one", "http://blog.example/1")])


def fetch(url: str, *, trust_private: bool = True, network: Network | None = None):  # type: ignore[no-untyped-def]
    async def run():  # type: ignore[no-untyped-def]
        async with Fetcher(concurrency=2, per_host=2, deadline=10,
                           network=network or Network()) as fetcher:
            return await fetcher.fetch(FetchRequest(url, trust_private=trust_private))

    return asyncio.run(run())


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[list[str]]]:
    """Play DNS: name -> successive answers (the last one repeats); every lookup is recorded."""
    answers: dict[str, list[list[str]]] = {}
    asked: list[str] = []

    async def lookup(self: Resolver, host: str, port: int) -> list[object]:
        asked.append(host)
        queue = answers[host]
        found = queue.pop(0) if len(queue) > 1 else queue[0]
        return [ipaddress.ip_address(a) for a in found]

    monkeypatch.setattr(Resolver, "lookup", lookup)
    monkeypatch.setattr(Resolver, "TTL", 0.0)  # every connection asks again (rebinding)
    answers["__asked__"] = asked  # type: ignore[assignment]
    return answers


@pytest.mark.parametrize("host", METADATA_SPELLINGS + LINK_LOCAL)
def test_every_spelling_is_normalised_and_refused(host: str) -> None:
    address = parse_ip(host)
    assert address is not None
    assert classify(address)[0] == "refused"
    assert literal_refusal(host)
    assert refusal(address, private_ok=True)  # even for the user's own links


def test_private_and_loopback_need_a_reason() -> None:
    for host in ("127.0.0.1", "127.1", "0x7f000001", "10.1.2.3", "192.168.0.10", "[::1]",
                 "100.64.0.1", "[fd12::1]"):
        address = parse_ip(host)
        assert address is not None and classify(address)[0] == "private", host
        assert refusal(address, private_ok=True) is None
        assert "allow_private" in (refusal(address, private_ok=False) or "")
    assert classify(ipaddress.ip_address("93.184.216.34"))[0] == "public"
    assert parse_ip("blog.example") is None and parse_ip("256.1.1.1") is None


@pytest.mark.parametrize("host", METADATA_SPELLINGS + LINK_LOCAL)
def test_subscribing_refuses_every_spelling(host: str, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CURATOR_OPML", str(tmp_path / "feeds.opml"))
    monkeypatch.setenv("CURATOR_DB", str(tmp_path / "c.db"))
    result = CliRunner().invoke(main, ["feeds", "add", f"http://{host}/feed", "--no-discover"])
    assert result.exit_code == 1
    assert "link-local" in result.stderr or "metadata" in result.stderr


@pytest.mark.parametrize("host", METADATA_SPELLINGS[:6] + LINK_LOCAL[:1])
def test_a_redirect_to_an_internal_address_is_not_followed(host: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with FeedServer() as server:
        url = server.route("/feed", Reply(status=302, location=f"http://{host}/latest/"))
        cur = make_curator(tmp_path, [url])
        summary = cur.polls.poll()
        [outcome] = summary.outcomes
        assert outcome.status == "error"
        assert "unsafe URL" in (outcome.error or "") and (
            "metadata" in (outcome.error or "") or "link-local" in (outcome.error or ""))
        cur.close()


def test_a_public_server_may_not_redirect_to_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first server counts as public here (it is really on loopback, like every test
    server); its redirect to a loopback address must be refused."""
    with FeedServer() as server:
        target = server.route("/admin", Reply(body=FEED))
        start = server.route("/feed", Reply(status=302, location=target))
        monkeypatch.setattr(fetch_module, "is_private", lambda _address: False)
        result = fetch(start)
        assert result.error_kind == "unsafe_address"
        assert "loopback address" in (result.error or "")
        assert server.hits("/admin") == 0
        monkeypatch.undo()
        assert fetch(start).status == 200  # a loopback feed may redirect within loopback


def test_dns_answer_that_changes_before_connecting_is_checked_again(dns) -> None:  # type: ignore[no-untyped-def]
    """First answer public (what a check at subscribe or queue time sees), then the metadata
    address: the address connected to is the one checked, so nothing is sent anywhere."""
    dns["rebind.test"] = [["93.184.216.34"], ["169.254.169.254"]]
    result = fetch("http://rebind.test/feed")
    assert result.error_kind == "unsafe_address" and "metadata" in (result.error or "")
    assert result.peer is None


def test_a_name_that_resolves_to_metadata_is_refused(dns) -> None:  # type: ignore[no-untyped-def]
    dns["metadata.test"] = [["169.254.169.254", "fe80::1"]]
    result = fetch("http://metadata.test/")
    assert result.error_kind == "unsafe_address"


def test_an_intranet_feed_subscribed_on_purpose_is_polled(dns, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with FeedServer() as server:
        server.route("/feed.xml", Reply(body=FEED))
        dns["intranet.test"] = [["127.0.0.1"]]
        url = f"http://intranet.test:{server.port}/feed.xml"
        cur = make_curator(tmp_path, [url])
        summary = cur.polls.poll()
        assert summary.errors == 0 and summary.new_posts == 1
        # the same address as a link in someone's feed: refused unless allowed
        refused = fetch(url, trust_private=False)
        assert refused.error_kind == "unsafe_address" and "allow_private" in (refused.error or "")
        allowed = fetch(url, trust_private=False, network=Network(allow_private=True))
        assert allowed.status == 200
        cur.close()


def test_discovery_refuses_a_link_to_an_internal_address(tmp_path) -> None:  # type: ignore[no-untyped-def]
    page = (b'<html><head><link rel="alternate" type="application/rss+xml" '
            b'href="http://169.254.169.254/feed"><link rel="alternate" '
            b'type="application/rss+xml" href="http://[fe80::1]/feed"></head></html>')
    with FeedServer() as server:
        home = server.route("/", Reply(body=page, content_type="text/html"))
        with pytest.raises(DiscoveryError, match="no feed found"):
            discover_feed(home)
        assert [seen.path for seen in server.requests if seen.path != "/"] == [
            "/feed", "/rss.xml", "/atom.xml", "/index.xml", "/feed.xml"]  # only its own paths


def test_discovery_from_a_public_page_may_not_reach_loopback(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with FeedServer() as server:
        feed = server.route("/private-feed.xml", Reply(body=FEED))
        page = (f'<html><head><link rel="alternate" type="application/rss+xml" '
                f'href="{feed}"></head></html>').encode()
        home = server.route("/", Reply(body=page, content_type="text/html"))
        monkeypatch.setattr(fetch_module, "is_private", lambda _address: False)
        monkeypatch.setattr("curator.feeds.discover.is_private", lambda _address: False)
        with pytest.raises(DiscoveryError):
            discover_feed(home)
        assert server.hits("/private-feed.xml") == 0


def test_link_check_json_names_the_rule(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CURATOR_OPML", str(tmp_path / "feeds.opml"))
    monkeypatch.setenv("CURATOR_DB", str(tmp_path / "c.db"))
    runner = CliRunner()
    assert runner.invoke(main, ["roundup", "new"]).exit_code == 0
    assert runner.invoke(main, ["roundup", "link", "http://example.org/ok", "Fine"]).exit_code == 0
    with FeedServer() as server:
        admin = server.route("/admin/delete", Reply(body=b"deleted"))
        assert runner.invoke(main, ["roundup", "link", admin + "?all=1", "Trap"]).exit_code == 0
        result = runner.invoke(main, ["roundup", "check-links", "--json"])
        assert result.exit_code == 1
        data = json.loads(result.stdout)
        trap = next(r for r in data["results"] if "admin" in r["url"])
        assert trap["status"] == "dead" and "loopback" in trap["error"]
        assert server.hits("/admin/delete?all=1") == 0
