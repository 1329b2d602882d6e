"""One rule for every address curator connects to: polls, each redirect hop, discovery, link checks.

A feed is a stranger's content. Its redirects, its `<link href>` and its post links can point into
the network curator runs in: a cloud metadata service (169.254.169.254), a router's admin page, a
service on localhost. So:

- **Always refused**: link-local addresses (169.254.0.0/16, fe80::/10), the cloud metadata
  addresses, the unspecified address (0.0.0.0, ::), multicast and broadcast.
- **Private and loopback** addresses (10/8, 172.16/12, 192.168/16, 127/8, ::1, fc00::/7, 100.64/10,
  and other non-global ranges) only for a request chain that *started* at such an address for a
  URL the user chose (a subscribed feed, a URL typed into `feeds add`: an intranet blog is
  legitimate), or everywhere with `[network] allow_private = true`. A redirect may not move a
  chain from a public address to a private one.
- Host names are checked on the address actually connected to, after DNS resolution: a name that
  resolved to a public address once and to a private one at connect time (DNS rebinding) is
  refused. Literal hosts are normalised first, so `2852039166`, `0xa9fea9fe`,
  `0251.0376.0251.0376`, `169.254.169.254.` and `[::ffff:169.254.169.254]` are all 169.254.169.254.

Pure functions: no I/O here; the transport resolves and asks.
"""

from __future__ import annotations

import ipaddress
from typing import Literal

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Kind = Literal["public", "private", "refused"]

METADATA = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean...
    "169.254.170.2",  # AWS ECS task metadata
    "fd00:ec2::254",  # AWS over IPv6
    "100.100.100.200",  # Alibaba Cloud
))
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: not public


def parse_ip(host: str) -> IP | None:
    """The address a literal host names, in any spelling a resolver accepts; None for a name.

    IPv4 may be written as one to four parts, each decimal, octal (leading 0) or hex (0x), the
    last part filling the remaining bytes (inet_aton's rules); a trailing dot is ignored. IPv6
    may be bracketed; an IPv4-mapped IPv6 address is its IPv4 address.
    """
    text = host.strip().strip("[]").rstrip(".").lower()
    if not text:
        return None
    text = text.split("%", 1)[0]  # a zone id (fe80::1%eth0)
    address: IP | None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        address = _legacy_ipv4(text)
        if address is None:
            return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _legacy_ipv4(text: str) -> ipaddress.IPv4Address | None:
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers: list[int] = []
    for part in parts:
        try:
            if part.startswith("0x"):
                numbers.append(int(part[2:], 16))
            elif len(part) > 1 and part.startswith("0"):
                numbers.append(int(part[1:], 8))
            else:
                if not part.isdigit():
                    return None
                numbers.append(int(part))
        except ValueError:
            return None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        return None
    value = 0
    for n in head:
        value = value * 256 + n
    value = value * 256 ** (5 - len(numbers)) + last
    return ipaddress.IPv4Address(value)


def classify(address: IP) -> tuple[Kind, str]:
    """("public" | "private" | "refused", the rule's name for messages)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_unspecified:
        return "refused", "the unspecified address"
    if address in METADATA:
        return "refused", "a cloud metadata address"
    if address.is_link_local:
        return "refused", "a link-local address"
    if address.is_multicast or address == ipaddress.IPv4Address("255.255.255.255"):
        return "refused", "a multicast or broadcast address"
    if address.is_loopback:
        return "private", "a loopback address"
    if address.is_global and address not in _SHARED:
        return "public", "a public address"
    return "private", "a private address"


def refusal(address: IP, private_ok: bool) -> str | None:
    """Why curator must not connect to `address` (one line naming the rule), or None."""
    kind, rule = classify(address)
    if kind == "refused":
        return f"{address} is {rule}; never requested"
    if kind == "private" and not private_ok:
        return (f"{address} is {rule}, reached from a link that is not yours "
                "(set [network] allow_private = true to allow it)")
    return None


def literal_refusal(host: str) -> str | None:
    """For a URL's host at subscribe time: refused when it spells an always-refused address."""
    address = parse_ip(host)
    if address is None:
        return None
    kind, rule = classify(address)
    if kind != "refused":
        return None
    spelled = "" if host.strip("[]").rstrip(".").lower() == str(address) else f" ({address})"
    return f"{host} is {rule}{spelled}"


def is_private(address: IP) -> bool:
    return classify(address)[0] == "private"
