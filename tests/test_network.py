"""Proxies and the trust store: routing rules, a real forward proxy, a private CA.

The forward proxy (tests/proxyserver.py) knows names the test process cannot resolve, as a
corporate proxy does: a feed at such a name can only be fetched through it.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from pathlib import Path

import pytest
from click.testing import CliRunner
from httpserver import FeedServer, Reply, rss
from pollkit import make_curator, write_opml
from proxyserver import ForwardProxy

from curator.cli import main
from curator.errors import CuratorError
from curator.poll.fetch import Fetcher, FetchRequest
from curator.poll.network import Network

HIDDEN = "blog.curator-test.invalid"  # resolves only inside the proxy
FEED = rss([("g1", "Post one", "http://blog.example/1"), ("g2", "Post two", "http://blog.example/2")])


def fetch(url: str, network: Network | None = None):  # type: ignore[no-untyped-def]
    async def run():  # type: ignore[no-untyped-def]
        async with Fetcher(concurrency=2, per_host=2, deadline=10, network=network) as fetcher:
            return await fetcher.fetch(FetchRequest(url))

    return asyncio.run(run())


# --- routing: a pure decision -----------------------------------------------------------------

def test_environment_proxies_and_no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "proxy.corp:3128")
    monkeypatch.setenv("https_proxy", "http://user:secret@proxy.corp:8443")
    monkeypatch.setenv("NO_PROXY", ".intranet.example, localhost,10.0.0.0/8,[::1],docs.example:8080")
    net = Network.resolve()
    assert net.route("http://blog.example/feed") == "http://proxy.corp:3128"
    assert net.route("https://blog.example/feed") == "http://user:secret@proxy.corp:8443"
    assert net.route("http://intranet.example/feed") is None  # the domain itself
    assert net.route("http://news.intranet.example/feed") is None  # and its subdomains
    assert net.route("http://notintranet.example/feed") is not None  # not a mere suffix
    assert net.route("http://localhost:8000/") is None
    assert net.route("http://10.2.3.4/feed") is None  # CIDR
    assert net.route("http://11.2.3.4/feed") is not None
    assert net.route("http://[::1]:9000/") is None
    assert net.route("http://docs.example:8080/") is None
    assert net.route("http://docs.example/") is not None  # another port
    assert "secret" not in net.describe() and "***" in net.describe()


def test_all_proxy_and_no_proxy_star(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALL_PROXY", "http://proxy.corp:3128")
    assert Network.resolve().route("https://blog.example/") == "http://proxy.corp:3128"
    monkeypatch.setenv("NO_PROXY", "*")
    assert Network.resolve().route("https://blog.example/") is None
    assert not Network.resolve().uses_proxy


def test_config_proxy_overrides_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://env-proxy:1")
    monkeypatch.setenv("NO_PROXY", "blog.example")
    net = Network.resolve("http://cfg-proxy:2", "other.example")
    assert net.route("http://blog.example/") == "http://cfg-proxy:2"  # env NO_PROXY not used
    assert net.route("https://other.example/") is None


def test_bad_proxy_url_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "ftp://proxy.corp")
    with pytest.raises(CuratorError, match="HTTP_PROXY: not a usable proxy URL"):
        Network.resolve()


def test_config_network_section(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from curator.config import Settings

    path = tmp_path / "config.toml"
    path.write_text('[network]\nproxy = "http://p:1"\nno_proxy = "a.example"\nca_file = "ca.pem"\n')
    settings = Settings.load(path)
    assert Network.from_settings(settings).route("http://b.example/") == "http://p:1"
    assert Network.from_settings(settings).route("http://a.example/") is None
    assert settings.ca_file == str(tmp_path / "ca.pem")  # relative to the config folder
    path.write_text("[network]\nproxy = 3\n")
    with pytest.raises(CuratorError, match="proxy must be a string"):
        Settings.load(path)


# --- a real forward proxy ---------------------------------------------------------------------

def test_unresolvable_host_is_fetched_through_http_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    with FeedServer() as server:
        server.route("/feed.xml", Reply(body=FEED))
        with ForwardProxy(hosts={HIDDEN: ("127.0.0.1", server.port)}) as proxy:
            url = f"http://{HIDDEN}/feed.xml"
            direct = fetch(url, Network())  # no proxy: the name does not resolve
            assert direct.status is None and direct.error_kind == "network"
            monkeypatch.setenv("HTTP_PROXY", proxy.url)
            result = fetch(url)
            assert result.status == 200 and result.body == FEED, result.error
            assert proxy.seen[-1].method == "GET" and proxy.seen[-1].target == url
            assert server.requests[-1].headers["user-agent"].startswith("curator/")


def test_no_proxy_bypasses_the_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    with FeedServer() as server, ForwardProxy() as proxy:
        url = server.route("/feed.xml", Reply(body=FEED))
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        assert fetch(url).status == 200
        assert proxy.seen == []
        monkeypatch.delenv("NO_PROXY")
        assert fetch(url).status == 200
        assert len(proxy.seen) == 1  # without the exception it goes through the proxy


def test_proxy_credentials_and_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    with FeedServer() as server, ForwardProxy(require_auth="ann:s3cret") as proxy:
        url = server.route("/feed.xml", Reply(body=FEED))
        monkeypatch.setenv("HTTP_PROXY", f"http://ann:s3cret@127.0.0.1:{proxy.port}")
        assert fetch(url).status == 200
        monkeypatch.setenv("HTTP_PROXY", f"http://ann:wrong@127.0.0.1:{proxy.port}")
        assert fetch(url).status == 407  # the proxy's answer is reported, not a crash


@pytest.fixture
def private_ca(tmp_path):  # type: ignore[no-untyped-def]
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(HIDDEN, "127.0.0.1").configure_cert(server_ctx)
    ca_file = tmp_path / "corporate-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return server_ctx, ca_file


def test_https_feed_through_connect(monkeypatch: pytest.MonkeyPatch, private_ca) -> None:  # type: ignore[no-untyped-def]
    server_ctx, ca_file = private_ca
    with FeedServer(tls=server_ctx) as server:
        server.route("/feed.xml", Reply(body=FEED))
        with ForwardProxy(hosts={HIDDEN: ("127.0.0.1", server.port)}) as proxy:
            monkeypatch.setenv("HTTPS_PROXY", proxy.url)
            monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
            url = f"https://{HIDDEN}:{server.port}/feed.xml"
            result = fetch(url)
            assert result.status == 200 and result.body == FEED, result.error
            assert proxy.seen[-1].method == "CONNECT"
            assert proxy.seen[-1].target == f"{HIDDEN}:{server.port}"


def test_private_ca_needs_ssl_cert_file(monkeypatch: pytest.MonkeyPatch, private_ca) -> None:  # type: ignore[no-untyped-def]
    server_ctx, ca_file = private_ca
    with FeedServer(tls=server_ctx) as server:
        url = server.route("/feed.xml", Reply(body=FEED))
        refused = fetch(url)
        assert refused.status is None and "CERTIFICATE_VERIFY_FAILED" in (refused.error or "")
        monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
        result = fetch(url)
        assert result.status == 200 and result.body == FEED, result.error


def test_unreadable_ca_file_is_one_line(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CuratorError, match="cannot read the certificates in"):
        Network(ca_file=str(tmp_path / "missing.pem")).ssl_context()


def test_an_unreadable_ca_file_met_midway_is_the_feeds_one_line_error(tmp_path: Path,
                                                                     curator_home: Path) -> None:
    """Trust loads with the first https connection: a poll of http feeds never needs it, and
    one redirected to https says what is wrong with the file, not "internal error"."""
    config = curator_home / "config"
    config.mkdir(parents=True)
    (config / "config.toml").write_text('[network]\nca_file = "missing.pem"\n')
    with FeedServer() as server:
        plain = server.route("/plain", Reply(body=rss([("a", "a", "http://b.example/a")])))
        moved = server.route("/moved", Reply(status=301, location="https://127.0.0.1:9/feed"))
        cur = make_curator(tmp_path, [plain, moved])
        outcomes = {o.url: o for o in cur.polls.poll().outcomes}
    assert outcomes[plain].status == "ok"
    assert outcomes[moved].error == (f"cannot read the certificates in {config / 'missing.pem'} "
                                     "([network] ca_file): No such file or directory")
    cur.close()


def test_poll_cli_through_proxy_with_private_ca(tmp_path, monkeypatch, private_ca) -> None:  # type: ignore[no-untyped-def]
    """The whole poll, as a facilitator behind a TLS-inspecting proxy runs it."""
    server_ctx, ca_file = private_ca
    with FeedServer(tls=server_ctx) as server:
        server.route("/feed.xml", Reply(body=FEED))
        with ForwardProxy(hosts={HIDDEN: ("127.0.0.1", server.port)}) as proxy:
            write_opml(tmp_path / "feeds.opml", [f"https://{HIDDEN}:{server.port}/feed.xml"])
            monkeypatch.setenv("CURATOR_OPML", str(tmp_path / "feeds.opml"))
            monkeypatch.setenv("CURATOR_DB", str(tmp_path / "c.db"))
            config = tmp_path / "curator-home" / "config" / "config.toml"
            config.parent.mkdir(parents=True)
            config.write_text(f'[network]\nproxy = "{proxy.url}"\nca_file = "{ca_file}"\n')
            result = CliRunner().invoke(main, ["poll", "--json"])
            assert result.exit_code == 0, result.output
            data = json.loads(result.output)
            assert data["new_posts"] == 2 and data["errors"] == 0, data
            assert proxy.seen and proxy.seen[0].method == "CONNECT"


def test_limits_and_pauses_hold_through_the_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deadlines, size caps, redirect rules and 429 pauses live above the transport."""
    with FeedServer() as server, ForwardProxy() as proxy:
        big = server.route("/big", Reply(body=b"x" * 5000))
        busy = server.route("/busy", Reply(status=429, headers={"Retry-After": "120"}))
        sibling = server.route("/sibling", Reply(body=FEED))
        loop_url = server.route("/loop", Reply(status=301, location="/loop"))
        monkeypatch.setenv("HTTP_PROXY", proxy.url)

        async def run():  # type: ignore[no-untyped-def]
            async with Fetcher(concurrency=1, per_host=1, max_body=1000, deadline=10) as fetcher:
                return [await fetcher.fetch(FetchRequest(u)) for u in (big, loop_url, busy,
                                                                        sibling)]

        too_big, looped, paused, skipped = asyncio.run(run())
        assert too_big.error_kind == "too_big"
        assert looped.error_kind == "redirect"
        assert paused.status == 429
        assert skipped.error_kind == "host_paused" and server.hits("/sibling") == 0
        assert [s.target.rsplit("/", 1)[1] for s in proxy.seen] == ["big", "loop", "busy"]


def test_private_ca_in_ssl_cert_dir(tmp_path, monkeypatch: pytest.MonkeyPatch, private_ca) -> None:  # type: ignore[no-untyped-def]
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("needs openssl(1) to hash a certificate folder")
    server_ctx, ca_file = private_ca
    folder = tmp_path / "certs"
    folder.mkdir()
    shutil.copy(ca_file, folder / "corporate-ca.pem")
    subprocess.run(["openssl", "rehash", str(folder)], check=True, capture_output=True)
    with FeedServer(tls=server_ctx) as server:
        url = server.route("/feed.xml", Reply(body=FEED))
        assert fetch(url).status is None
        monkeypatch.setenv("SSL_CERT_DIR", str(folder))
        result = fetch(url)
        assert result.status == 200, result.error
