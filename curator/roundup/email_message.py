"""The edition as an e-mail: one multipart/alternative message, plain text first, then HTML.

Mail readers show the last part they understand, so the HTML page wins where it can and the text
export is there for every other reader. Addresses are checked here, once, so a typo (or a line
break smuggled into a header) is a one-line error before anything is sent.
"""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid

from curator.errors import CuratorError
from curator.text import one_line


def check_addresses(addresses: list[str], what: str = "recipient") -> list[str]:
    """Each address as given, once; CuratorError naming the first that is not one."""
    out: list[str] = []
    for raw in addresses:
        if any(c in raw for c in "\r\n\0"):
            raise CuratorError(f"{what} {one_line(raw, 60)!r} is not an e-mail address")
        parsed = getaddresses([raw])
        if len(parsed) != 1 or "@" not in parsed[0][1] or " " in parsed[0][1] \
                or parsed[0][1].startswith("@") or parsed[0][1].endswith("@"):
            raise CuratorError(f"{what} {one_line(raw, 60)!r} is not an e-mail address")
        if raw.strip() not in out:
            out.append(raw.strip())
    if not out:
        raise CuratorError(f"no {what} given")
    return out


def edition_message(subject: str, text: str, html: str, sender: str,
                    recipients: list[str]) -> EmailMessage:
    """A ready-to-send message: From, To, Subject, Date, Message-ID and both parts (UTF-8)."""
    message = EmailMessage()
    message["Subject"] = one_line(subject, 200)
    message["From"] = check_addresses([sender], "sender")[0]
    message["To"] = ", ".join(check_addresses(recipients))
    message["Date"] = formatdate(localtime=True)
    domain = getaddresses([sender])[0][1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


def bare_address(address: str) -> str:
    """'Roundup <r@example.org>' -> 'r@example.org' (the SMTP envelope's form)."""
    name, addr = getaddresses([address])[0]
    return str(Address(addr_spec=addr)) if addr else address
