"""`roundup send`: the edition received by a real SMTP server on 127.0.0.1 (aiosmtpd), plain and
with STARTTLS + login against a private CA; `--dry-run` writes the same message to a file."""

from __future__ import annotations

import email
import socket
import ssl
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner
from roundup_helpers import add_feed, add_post, make_curator

from curator.cli import main

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402


class Inbox:
    """An aiosmtpd handler keeping every envelope it accepts."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def] # noqa: N802
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def edition() -> Iterator[None]:
    cur = make_curator()
    feed = add_feed(cur, "https://preston.example/feed", person="Tanya Ashworth",
                    org="Preston Council")
    post = add_post(cur, feed, "Vote like an Egyptian!", "https://preston.example/vote",
                    theme="openness")
    cur.roundup.new_edition(title="Roundup: May \u2013 caf\u00e9 edition", since="2020-01-01")
    cur.roundup.pick([post])
    cur.roundup.set_section_body("can-you-help", "Fill in [the survey](https://s.example/q).")
    cur.close()
    yield


def _config(home: Path, text: str) -> None:
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "config.toml").write_text(text, encoding="utf-8")


def _parts(raw: bytes) -> tuple[EmailMessage, str, str]:
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return message, text.get_content(), html.get_content()


def test_send_reaches_a_real_smtp_server_with_both_parts(edition, curator_home) -> None:  # type: ignore[no-untyped-def]
    inbox = Inbox()
    port = _free_port()
    controller = aiosmtpd_controller.Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        _config(curator_home, f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                              'from = "Roundup <roundup@example.org>"\n'
                              'to = ["members@lists.example.org"]\n')
        runner = CliRunner()
        result = runner.invoke(main, ["roundup", "send", "--to", "ann@example.org",
                                      "--to", "Bob <bob@example.org>"])
        assert result.exit_code == 0, result.output
        assert "sent edition #1" in result.stdout
        result = runner.invoke(main, ["roundup", "send"])  # [smtp] to
        assert result.exit_code == 0, result.output
    finally:
        controller.stop()
    assert len(inbox.received) == 2
    sender, recipients, raw = inbox.received[0]
    assert sender == "roundup@example.org"
    assert recipients == ["ann@example.org", "bob@example.org"]
    message, text, html = _parts(raw)
    assert message["Subject"] == "Roundup: May \u2013 caf\u00e9 edition"
    assert message["To"] == "ann@example.org, Bob <bob@example.org>"
    assert message["From"] == "Roundup <roundup@example.org>"
    assert "Vote like an Egyptian! from Tanya Ashworth" in text
    assert "the survey (https://s.example/q)" in text
    assert '<a href="https://preston.example/vote"' in html and "<!DOCTYPE html>" in html
    assert inbox.received[1][1] == ["members@lists.example.org"]


def test_send_over_starttls_with_login_trusting_a_private_ca(edition, curator_home,  # type: ignore[no-untyped-def]
                                                             tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_tls)
    ca_file = tmp_path / "corp-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    logins: list[tuple[str, str]] = []

    def authenticator(server, session, envelope, mechanism, data):  # type: ignore[no-untyped-def]
        if isinstance(data, LoginPassword):
            logins.append((data.login.decode(), data.password.decode()))
            return AuthResult(success=data.password == b"s3cret", handled=False)
        return AuthResult(success=False, handled=False)  # handled=False: the server says 535

    inbox = Inbox()
    port = _free_port()
    controller = aiosmtpd_controller.Controller(
        inbox, hostname="127.0.0.1", port=port, tls_context=server_tls, require_starttls=True,
        authenticator=authenticator, auth_required=True)
    controller.start()
    try:
        _config(curator_home, f'[network]\nca_file = "{ca_file.as_posix()}"\n\n[smtp]\n'
                              f'host = "127.0.0.1"\nport = {port}\nsecurity = "starttls"\n'
                              'user = "roundup"\npassword_env = "TEST_SMTP_PASSWORD"\n'
                              'from = "roundup@example.org"\n')
        runner = CliRunner()
        result = runner.invoke(main, ["roundup", "send", "--to", "ann@example.org"])
        assert result.exit_code == 1 and "TEST_SMTP_PASSWORD" in result.stderr  # not set yet
        monkeypatch.setenv("TEST_SMTP_PASSWORD", "wrong")
        result = runner.invoke(main, ["roundup", "send", "--to", "ann@example.org"])
        assert result.exit_code == 1 and "refused the login for roundup" in result.stderr
        assert "Traceback" not in result.output
        monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret")
        result = runner.invoke(main, ["roundup", "send", "--to", "ann@example.org"])
        assert result.exit_code == 0, result.output
    finally:
        controller.stop()
    # smtplib tries each mechanism the server offers before giving up on the wrong password
    assert set(logins[:-1]) == {("roundup", "wrong")} and logins[-1] == ("roundup", "s3cret")
    assert [r for _s, r, _raw in inbox.received] == [["ann@example.org"]]


def test_dry_run_writes_the_eml_and_bad_input_is_one_line(edition, curator_home,  # type: ignore[no-untyped-def]
                                                          tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "out.eml"
    result = runner.invoke(main, ["roundup", "send", "--to", "ann@example.org", "--dry-run",
                                  "-o", str(target)])
    assert result.exit_code == 0, result.output
    message, text, html = _parts(target.read_bytes())
    assert message["To"] == "ann@example.org" and "Vote like an Egyptian!" in text
    result = runner.invoke(main, ["roundup", "send", "--to", "ann@example.org"])
    assert result.exit_code == 1 and "set [smtp] host" in result.stderr  # nothing configured
    result = runner.invoke(main, ["roundup", "send", "--to", "not an address", "--dry-run"])
    assert result.exit_code == 1 and "is not an e-mail address" in result.stderr
    result = runner.invoke(main, ["roundup", "send", "--to", "a@example.org\nBcc: x@evil.example",
                                  "--dry-run"])
    assert result.exit_code == 1 and "is not an e-mail address" in result.stderr
    _config(curator_home, '[smtp]\nhost = "127.0.0.1"\nport = 1\nsecurity = "none"\n'
                          'from = "r@example.org"\n')
    result = runner.invoke(main, ["roundup", "send", "--to", "ann@example.org"])
    assert result.exit_code == 1 and "cannot send through 127.0.0.1:1" in result.stderr
    _config(curator_home, '[smtp]\nsecurity = "ssl"\n')
    result = runner.invoke(main, ["roundup", "send", "--dry-run"])
    assert result.exit_code == 1 and "security must be none, starttls or tls" in result.stderr
