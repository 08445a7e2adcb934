"""The one network egress policy: which addresses kapdir may connect to, and the one seed validator.

Every outbound request goes through here: the crawler (a downloader middleware for every request and redirect
hop, and a resolver whose checked answer is the address actually connected to), the board HTTP client
(``pin`` below, on every connection it opens) and every path that writes a seed (CLI, admin, listing spider).

The rule: http/https only, ports 80/443 (``KAPDIR_EGRESS_PORTS``), and every address a host name resolves to
must be globally routable (``ipaddress`` ``is_global``). The resolved address decides, not the URL text:
``2130706433``, ``0x7f.1`` and ``127.0.0.1.sslip.io`` are judged by what they resolve to. One boolean,
``KAPDIR_ALLOW_PRIVATE_HOSTS=true`` (set by ``kapdir demo`` and the tests only), admits loopback and private
addresses and any port, for the sample world on loopback. Link-local and the other cloud metadata addresses
(``NEVER_NETWORKS``), multicast and unspecified addresses are refused even then. An IPv6 address that carries an
IPv4 one (mapped, 6to4, Teredo, NAT64, IPv4-compatible) is judged by that IPv4 address too.
``KAPDIR_EGRESS_ALLOW_NETWORKS`` admits named networks (e.g. an internal mirror).
"""

import http.client
import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from directory.errors import KapdirError
from directory.settings import Settings, get_settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

# Names that never belong to a public practice website or board (RFC 6761, 6762, 8375 and the common internal
# zones). Refused before any DNS so that a split-horizon resolver cannot answer them with a public address.
INTERNAL_SUFFIXES = (
    "localhost", "local", "localdomain", "internal", "intranet", "private", "corp", "home", "lan", "home.arpa",
    "consul", "test", "example", "invalid", "onion", "arpa", "svc", "cluster.local",
)


# Cloud metadata and host-agent endpoints: refused whatever the settings say (link-local 169.254.0.0/16, which
# holds AWS/GCP/Azure/OCI's 169.254.169.254, is refused as link-local). AWS's IPv6 IMDS sits in the ULA range that
# KAPDIR_ALLOW_PRIVATE_HOSTS admits; Oracle's legacy 192.0.0.192 and Azure's WireServer 168.63.129.16 count as
# global to Python 3.11. 192.0.0.0/24 is IETF protocol assignments (RFC 6890): never a practice website.
NEVER_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "fd00:ec2::254/128", "192.0.0.0/24", "168.63.129.16/32", "100.100.100.200/32",
))
# IPv6 prefixes whose last 32 bits are an IPv4 address the packets are translated to: NAT64 (RFC 6052, RFC 8215)
# and the deprecated IPv4-compatible form (::a.b.c.d).
_IPV4_TAIL_PREFIXES = tuple(ipaddress.ip_network(n) for n in ("64:ff9b::/96", "64:ff9b:1::/48", "::/96"))


DNS_RETRY_WAITS_S = (0.5, 1.5)  # seconds before asking an overloaded resolver again (EAI_AGAIN)


class BlockedAddress(KapdirError):
    """A URL the egress policy refuses; the message starts with ``blocked_address:``."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"blocked_address: {reason}")


class TemporaryDNSFailure(BlockedAddress):
    """The resolver failed for now (EAI_AGAIN, after retries): refused this time, not remembered as refused."""


@dataclass(frozen=True)
class Policy:
    allow_private: bool = False
    ports: frozenset[int] = frozenset({80, 443})
    allow_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = field(default=())

    @classmethod
    def from_settings(cls, settings: Settings) -> "Policy":
        return cls.from_dict({"allow_private": settings.allow_private_hosts, "ports": settings.egress_ports,
                              "allow_networks": settings.egress_allow_networks})

    @classmethod
    def from_dict(cls, values: dict) -> "Policy":
        try:
            networks = tuple(ipaddress.ip_network(n, strict=False) for n in values.get("allow_networks", ()))
        except ValueError as exc:
            raise KapdirError(f"KAPDIR_EGRESS_ALLOW_NETWORKS: {exc}") from None
        return cls(allow_private=bool(values.get("allow_private", False)),
                   ports=frozenset(int(p) for p in values.get("ports", (80, 443))), allow_networks=networks)

    def to_dict(self) -> dict:
        """Plain values, for a child process's settings."""
        return {"allow_private": self.allow_private, "ports": sorted(self.ports),
                "allow_networks": [str(n) for n in self.allow_networks]}


def current_policy() -> Policy:
    return Policy.from_settings(get_settings())


def _embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, 6to4, Teredo, NAT64 or IPv4-compatible IPv6 address: it is where
    packets really go (``64:ff9b::a9fe:a9fe`` is 169.254.169.254 on a NAT64 network)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.teredo:
            return address.teredo[1]
        if address.ipv4_mapped or address.sixtofour:
            return address.ipv4_mapped or address.sixtofour
        if int(address) > 1 and any(address in prefix for prefix in _IPV4_TAIL_PREFIXES):  # not :: or ::1
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_allowed(address: str | Address, policy: Policy) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0] if isinstance(address, str) else address)
    except ValueError:
        return False
    inner = _embedded_ipv4(ip)
    if inner is not None and not address_allowed(inner, policy):
        return False
    if any(ip in network for network in NEVER_NETWORKS):
        return False
    if any(ip in network for network in policy.allow_networks):
        return True
    if ip.is_link_local or ip.is_multicast or ip.is_unspecified:
        return False  # cloud metadata (169.254.169.254) and 0.0.0.0 (reaches this machine) are never fetched
    if ip.is_global:
        return True
    return policy.allow_private and (ip.is_private or ip.is_loopback)


@dataclass(frozen=True)
class Target:
    url: str  # normalised: lower-case scheme and host, host in ASCII (IDNA), path at least "/"
    scheme: str
    host: str
    port: int


def check_url(url: str, policy: Policy) -> Target:
    """Everything about a URL that can be judged without DNS; raise BlockedAddress."""
    text = (url or "").strip()
    if any(ch in text for ch in "\r\n\t\x00 "):
        raise BlockedAddress("the URL contains whitespace or control characters")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise BlockedAddress(f"only http and https URLs, not {scheme or 'no scheme'!r}")
    if parts.username is not None or parts.password is not None:
        raise BlockedAddress("the URL must not carry a user name or password")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise BlockedAddress("the URL has an invalid port") from None
    host = ascii_host(parts.hostname or "")
    if not policy.allow_private:
        if port not in policy.ports:
            raise BlockedAddress(f"port {port} is not allowed (allowed: {', '.join(map(str, sorted(policy.ports)))})")
        literal = _ip_literal(host)
        if literal is None and _internal_name(host):
            raise BlockedAddress(f"{host} is not a public host name")
    literal = _ip_literal(host)
    if literal is not None and not address_allowed(literal, policy):
        raise BlockedAddress(f"{host} is a private, loopback or reserved address")
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    clean = f"{scheme}://{netloc}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
    return Target(url=clean, scheme=scheme, host=host, port=port)


def ascii_host(host: str) -> str:
    """The host as DNS sees it: IDNA with Unicode normalisation (full-width ``ｌｏｃａｌｈｏｓｔ`` is ``localhost``)."""
    host = host.strip().rstrip(".").lower()
    if not host:
        raise BlockedAddress("the URL has no host")
    if _ip_literal(host) is not None:
        return host
    try:
        ascii_name = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise BlockedAddress(f"{host!r} is not a valid host name") from None
    if not all(label and (label.replace("-", "").replace("_", "").isalnum()) for label in ascii_name.split(".")):
        raise BlockedAddress(f"{host!r} is not a valid host name")
    return ascii_name


def _ip_literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _internal_name(host: str) -> bool:
    if "." not in host:
        return True  # a single label only resolves through a local search domain
    return any(host == suffix or host.endswith("." + suffix) for suffix in INTERNAL_SUFFIXES)


def _lookup(host: str, port: int) -> list[str] | None:
    """The system resolver's addresses for host, [] for no such name, None for a temporary failure (EAI_AGAIN)."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return None if exc.errno == socket.EAI_AGAIN else []
    except (UnicodeError, OSError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in answers))


def system_resolve(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for host (what a connect would use), or [] if it has none.

    A temporary failure is not "no such name": it is asked again, then refused with its own reason, so a site is
    never reported as non-existent because an overloaded resolver dropped one query."""
    addresses = _lookup(host, port)
    for wait in DNS_RETRY_WAITS_S:
        if addresses is not None:
            return addresses
        time.sleep(wait)
        addresses = _lookup(host, port)
    if addresses is None:
        raise TemporaryDNSFailure(f"{host}: the DNS lookup failed temporarily; try again later")
    return addresses


def checked_addresses(host: str, port: int, policy: Policy, resolve: Resolver | None = None) -> list[str]:
    """Resolve host once and return its addresses if every one of them is allowed; raise BlockedAddress.

    Callers connect only to the addresses returned here, so a second, different DNS answer (rebinding) is
    never used. A name with any disallowed address is refused whole: the answer order is the attacker's.
    """
    addresses = (resolve or system_resolve)(host, port)  # looked up per call: tests stand in a DNS of their own
    if not addresses:
        raise BlockedAddress(f"{host} does not resolve")
    bad = [a for a in addresses if not address_allowed(a, policy)]
    if bad:
        raise BlockedAddress(f"{host} resolves to a private, loopback or reserved address ({bad[0]})")
    return addresses


def validate_seed(url: str, policy: Policy | None = None, *, dns: bool = True, resolve: Resolver | None = None
                  ) -> str:
    """The one validator for every seed written (CLI, admin, listing spider); returns the normalised URL.

    ``dns=False`` judges the URL alone (the listing spider, which finds hundreds of sites at once: the crawler
    checks the resolved address of every request anyway). With private hosts allowed, a name that does not
    resolve here is accepted: the sample world's names resolve only through its proxy.
    """
    policy = policy or current_policy()
    target = check_url(url, policy)
    if dns:
        try:
            checked_addresses(target.host, target.port, policy, resolve)
        except BlockedAddress as exc:
            if not (policy.allow_private and str(exc).endswith("does not resolve")):
                raise
    return target.url


# --- HTTP clients (the board client): every connection pinned to its checked address ---------------------------


class BlockedConnection(ConnectionRefusedError):
    """A connection the policy refused (an OSError, so HTTP clients report it like any unreachable host)."""


def pin(connection: http.client.HTTPConnection, policy: Policy | None = None,
        resolve: Resolver | None = None) -> http.client.HTTPConnection:
    """Make an http.client connection check its port, resolve its host once, check every address, and connect
    to the checked address (HTTPS still verifies the certificate for the host name). Raises BlockedConnection
    on connect. This is the one call a client adds where it opens a connection."""
    policy = policy or current_policy()
    real = connection._create_connection

    def checked_connect(address, *args, **kwargs):
        host, port = address[0], address[1]
        try:
            if not policy.allow_private and port not in policy.ports:
                raise BlockedAddress(f"port {port} is not allowed")
            addresses = checked_addresses(ascii_host(host), port, policy, resolve)
        except BlockedAddress as exc:
            raise BlockedConnection(str(exc)) from None
        return real((addresses[0], port), *args, **kwargs)

    connection._create_connection = checked_connect
    return connection
