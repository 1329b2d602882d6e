"""Send a message through the facilitator's SMTP server: plain, STARTTLS or TLS from the start.

TLS trusts what the poller trusts (the system's store, plus [network] ca_file), so a corporate
CA works for mail too. Every failure (a refused connection, a rejected login, a refused
recipient, a certificate that does not check) is one line naming the server.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage

from curator.config import SmtpSettings
from curator.errors import CuratorError
from curator.roundup.email_message import bare_address
from curator.text import one_line

TIMEOUT_S = 30.0


def _password(settings: SmtpSettings) -> str | None:
    if not settings.user:
        return None
    if not settings.password_env:
        raise CuratorError("[smtp] user is set but password_env is not: name the environment "
                           "variable that holds the password")
    password = os.environ.get(settings.password_env)
    if password is None:
        raise CuratorError(f"[smtp] password_env names {settings.password_env}, which is not "
                           "set in the environment")
    return password


def _connect(settings: SmtpSettings, context: ssl.SSLContext) -> smtplib.SMTP:
    host, port = settings.host or "", settings.port_or_default
    if settings.security == "tls":
        return smtplib.SMTP_SSL(host, port, timeout=TIMEOUT_S, context=context)
    client = smtplib.SMTP(host, port, timeout=TIMEOUT_S)
    if settings.security == "starttls":
        client.ehlo()
        if not client.has_extn("starttls"):
            client.close()
            raise CuratorError(f"{host}:{port} does not offer STARTTLS; set [smtp] security to "
                               "tls (or none on a trusted network)")
        client.starttls(context=context)
        client.ehlo()
    return client


def send_message(message: EmailMessage, recipients: list[str], settings: SmtpSettings,
                 context: ssl.SSLContext) -> list[str]:
    """Deliver to every recipient (the envelope, whatever the headers say); returns those the
    server refused while taking the others (all refused is an error)."""
    if not settings.host:
        raise CuratorError("no SMTP server: set [smtp] host in config.toml (see `curator paths`),"
                           " or use --dry-run to write the message to a file")
    password = _password(settings)
    where = f"{settings.host}:{settings.port_or_default}"
    envelope = [bare_address(r) for r in recipients]
    try:
        with _connect(settings, context) as client:
            if settings.user and password is not None:
                client.login(settings.user, password)
            refused = client.send_message(message, from_addr=bare_address(message["From"]),
                                          to_addrs=envelope)
    except smtplib.SMTPAuthenticationError as exc:
        raise CuratorError(f"{where} refused the login for {settings.user}: "
                           f"{_reply(exc)}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        first, (code, text) = next(iter(exc.recipients.items()))
        raise CuratorError(f"{where} refused every recipient, {first} first: {code} "
                           f"{one_line(text.decode('utf-8', 'replace'), 120)}") from None
    except smtplib.SMTPNotSupportedError:
        raise CuratorError(f"{where} does not support login over this connection; check "
                           "[smtp] security") from None
    except (TimeoutError, smtplib.SMTPException, ssl.SSLError, OSError) as exc:
        why = one_line(str(exc) or type(exc).__name__, 200)
        raise CuratorError(f"cannot send through {where}: {why}") from None
    return sorted(refused)


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) \
        else str(exc.smtp_error)
    return f"{exc.smtp_code} {one_line(text, 120)}"
