"""How curator reaches the web from where its users are: proxies and the system's trust store.

A facilitator on a council or NHS laptop sits behind an HTTP proxy and a TLS-inspecting firewall
that re-signs every certificate with the organisation's own CA. So, for every request curator
makes (poll, discovery, link check):

- **Proxies** come from `[network] proxy` / `no_proxy` in config.toml, else from the environment
  (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY, either case), else from the operating system's
  settings (Windows registry, macOS system configuration; `urllib.request.getproxies` reads both).
  NO_PROXY follows curl: `*`, host names matching themselves and their subdomains (a leading dot
  is optional), IP addresses, CIDR blocks, each optionally with `:port`.
- **TLS** is verified against the operating system's trust store (`truststore`), where a
  corporate CA installed by IT already lives; SSL_CERT_FILE / SSL_CERT_DIR (and `[network]
  ca_file`) add certificates on top, on every platform.

`Network.route(url)` is a pure decision (which proxy, or none) so it is tested without sockets.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import ssl
import sys
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from curator.config import Settings
from curator.errors import CuratorError

PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


@dataclass(frozen=True)
class _Bypass:
    """One NO_PROXY entry: a host suffix, an address or a network, optionally one port."""

    host: str = ""  # lower-case name without the leading dot ("" with a network)
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    port: int | None = None

    def matches(self, host: str, port: int) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.network is not None:
            try:
                return ipaddress.ip_address(host) in self.network
            except ValueError:
                return False
        return host == self.host or host.endswith("." + self.host)


def _parse_bypass(entry: str) -> _Bypass | None:
    text = entry.strip().lower()
    if not text:
        return None
    port: int | None = None
    if text.startswith("["):  # [::1]:8080
        inside, _, rest = text[1:].partition("]")
        text = inside
        if rest.startswith(":") and rest[1:].isdigit():
            port = int(rest[1:])
    elif text.count(":") == 1:  # host:port (a bare IPv6 address has more colons)
        name, _, number = text.partition(":")
        if number.isdigit():
            text, port = name, int(number)
    try:
        return _Bypass(network=ipaddress.ip_network(text, strict=False), port=port)
    except ValueError:
        return _Bypass(host=text.lstrip(".").rstrip("."), port=port)


def _normal_proxy(value: str, origin: str) -> str:
    """A proxy URL with a scheme (`proxy:3128` means `http://proxy:3128`), or a one-line error."""
    text = value.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme.lower() not in PROXY_SCHEMES or not parts.hostname:
        raise CuratorError(f"{origin}: not a usable proxy URL: {value!r} "
                           f"(expected e.g. http://proxy.example:8080)")
    return text


@dataclass(frozen=True)
class Network:
    """Which proxy each request goes through, and how TLS is verified."""

    proxies: dict[str, str] = field(default_factory=dict)  # "http" / "https" / "all" -> URL
    bypass: tuple[_Bypass, ...] = ()
    bypass_all: bool = False  # NO_PROXY=*
    ca_file: str | None = None  # [network] ca_file: trusted beside the system store
    system_bypass: bool = False  # proxies came from the OS: its own exception list applies
    allow_private: bool = False  # [network] allow_private: any link may reach private addresses

    @classmethod
    def from_settings(cls, settings: Settings) -> Network:
        """config.toml's [network] table, else the environment, else the OS settings."""
        return cls.resolve(settings.proxy, settings.no_proxy, settings.ca_file,
                           settings.allow_private)

    @classmethod
    def resolve(cls, proxy: str | None = None, no_proxy: str | None = None,
                ca_file: str | None = None, allow_private: bool = False) -> Network:
        """From config.toml's values when given, else the environment, else the OS settings."""
        system = False
        if proxy:
            proxies = {"all": _normal_proxy(proxy, "config.toml [network] proxy")}
            exceptions = no_proxy or ""
        else:
            from urllib.request import getproxies, getproxies_environment

            found = getproxies_environment()
            if not found and sys.platform in ("win32", "darwin"):
                found, system = getproxies(), True  # registry / system configuration
            proxies = {}
            for scheme in ("http", "https", "all"):
                if found.get(scheme):
                    proxies[scheme] = _normal_proxy(found[scheme], f"{scheme.upper()}_PROXY")
            exceptions = no_proxy if no_proxy is not None else found.get("no", "")
        entries = [e for e in (exceptions or "").replace(";", ",").split(",") if e.strip()]
        bypass_all = any(e.strip() == "*" for e in entries)
        rules = tuple(r for r in map(_parse_bypass, entries) if r is not None)
        return cls(proxies=proxies, bypass=rules, bypass_all=bypass_all, ca_file=ca_file,
                   system_bypass=system and no_proxy is None, allow_private=allow_private)

    @property
    def uses_proxy(self) -> bool:
        return bool(self.proxies) and not self.bypass_all

    def route(self, url: str) -> str | None:
        """The proxy URL this request goes through, or None to connect directly."""
        if not self.uses_proxy:
            return None
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        proxy = self.proxies.get(scheme) or self.proxies.get("all")
        if proxy is None:
            return None
        host = (parts.hostname or "").rstrip(".")
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError:
            return proxy
        if any(rule.matches(host, port) for rule in self.bypass):
            return None
        if self.system_bypass and _system_bypass(host):
            return None
        return proxy

    def ssl_context(self) -> ssl.SSLContext:
        """A verifying client context: the OS trust store plus SSL_CERT_FILE / _DIR / ca_file.

        Built once per set of inputs (loading a CA bundle costs milliseconds) and shared: an
        SSLContext may serve many connections and threads.
        """
        return _tls_context(self.ca_file, os.environ.get("SSL_CERT_FILE") or None,
                            os.environ.get("SSL_CERT_DIR") or None)

    def describe(self) -> str:
        """One line for `curator paths` and error messages: which proxy, if any."""
        if not self.uses_proxy:
            return "direct (no proxy)"
        shown = ", ".join(f"{k}: {_hide_password(v)}" for k, v in sorted(self.proxies.items()))
        return f"proxy {shown}" + (" (system settings)" if self.system_bypass else "")


def _hide_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()


@functools.lru_cache(maxsize=4)
def _tls_context(ca_file: str | None, env_file: str | None, env_dir: str | None) -> ssl.SSLContext:
    import truststore

    ctx = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    extra_file = ca_file or env_file
    try:
        if extra_file:
            ctx.load_verify_locations(cafile=extra_file)
        if env_dir and os.path.isdir(env_dir):
            ctx.load_verify_locations(capath=env_dir)
    except (OSError, ssl.SSLError) as exc:
        source = "[network] ca_file" if ca_file else "SSL_CERT_FILE"
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise CuratorError(f"cannot read the certificates in {extra_file} ({source}): "
                           f"{reason}") from None
    return ctx


def _system_bypass(host: str) -> bool:  # pragma: no cover - Windows and macOS only
    """The OS's own proxy exceptions (Windows' ProxyOverride, macOS' exceptions list)."""
    from urllib.request import proxy_bypass

    try:
        return bool(proxy_bypass(host))
    except OSError:
        return False
