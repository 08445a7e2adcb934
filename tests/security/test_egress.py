"""The egress policy against every address form an attacker tried (issue 13), with the DNS answers they get.

There is no internet here, so the public wildcard DNS services are stood in by the answers they document
(docs/deploy.md cites them): ``A.B.C.D.nip.io`` and ``A.B.C.D.sslip.io`` answer A.B.C.D, ``localtest.me`` and
its subdomains answer 127.0.0.1. Numeric host forms go through this machine's real resolver.
"""

import ipaddress
import socket

import pytest

from crawler.egress import _CheckedAnswers
from directory import egress
from directory.egress import BlockedAddress, Policy, address_allowed, check_url, validate_seed

STRICT = Policy()
SAMPLE_WORLD = Policy(allow_private=True)

# What the real services answer (nip.io / sslip.io embed the address in the name; localtest.me is 127.0.0.1).
WILDCARD_DNS = {
    "169.254.169.254.nip.io": ["169.254.169.254"],
    "127.0.0.1.sslip.io": ["127.0.0.1"],
    "10-0-0-1.sslip.io": ["10.0.0.1"],
    "localtest.me": ["127.0.0.1"],
    "www.localtest.me": ["127.0.0.1"],
    "mixed.example.com": ["93.184.216.34", "127.0.0.1"],  # one good and one bad answer: refused whole
    "v6mapped.example.com": ["::ffff:127.0.0.1"],
    "sixtofour.example.com": ["2002:7f00:1::1"],
    "calmharbor.com": ["93.184.216.34"],
}


def wildcard_dns(host: str, port: int) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]  # an IP literal resolves to itself, as getaddrinfo answers
    except ValueError:
        return WILDCARD_DNS.get(host, [])


@pytest.mark.parametrize("url", [
    "http://169.254.169.254.nip.io/latest/meta-data/",
    "http://127.0.0.1.sslip.io/",
    "http://10-0-0-1.sslip.io/",
    "http://localtest.me/",
    "http://www.localtest.me:80/",
    "http://mixed.example.com/",
    "http://v6mapped.example.com/",
    "http://sixtofour.example.com/",
    "http://db.corp/",
    "http://redis.service.consul/",
    "http://x.\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/",  # full-width x.localhost
    "http://LOCALHOST./",
    "http://intranet/",
    "http://127.0.0.2/latest/meta-data/",
    "http://[::1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://0.0.0.0/",
    "http://100.64.0.1/",  # carrier-grade NAT: not globally routable
    "http://2130706433/",  # decimal 127.0.0.1
    "http://017700000001/",  # octal 127.0.0.1
    "http://0x7f000001/",  # hex 127.0.0.1
    "http://0x7f.1/",
    "http://[64:ff9b::7f00:1]/",  # NAT64 (RFC 6052) of 127.0.0.1: passed before
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254: passed before
    "http://[64:ff9b:1::a00:1]/",  # local-use NAT64 (RFC 8215) of 10.0.0.1: passed before
    "http://[::127.0.0.1]/",  # deprecated IPv4-compatible form: passed before
    "http://192.0.0.192/",  # Oracle Cloud's legacy metadata address: passed before
    "http://168.63.129.16/",  # Azure's WireServer: passed before
    "http://calmharbor.com:6379/",  # a port other than 80/443
    "gopher://calmharbor.com/",
    "file:///etc/passwd",
    "http://user:pw@calmharbor.com/",
    "http://nowhere-at-all.com/",  # does not resolve
])
def test_refused_without_private_hosts(url):
    with pytest.raises(BlockedAddress, match="^blocked_address: "):
        validate_seed(url, STRICT, resolve=wildcard_dns)


def test_a_public_host_passes_and_is_normalised():
    assert validate_seed("HTTPS://CalmHarbor.com", STRICT, resolve=wildcard_dns) == "https://calmharbor.com/"
    assert check_url("http://calmharbor.com:8080/", Policy(ports=frozenset({80, 443, 8080}))).port == 8080


@pytest.mark.parametrize("host", ["2130706433", "017700000001", "0x7f000001", "0x7f.1", "127.1"])
def test_numeric_hosts_are_judged_by_what_this_machine_resolves_them_to(host):
    """Resolution decides, not URL text: the system resolver turns each of these into loopback."""
    addresses = egress.system_resolve(host, 80)
    assert addresses == ["127.0.0.1"]
    with pytest.raises(BlockedAddress):
        egress.checked_addresses(host, 80, STRICT)
    assert egress.checked_addresses(host, 80, SAMPLE_WORLD) == ["127.0.0.1"]


def test_the_sample_world_switch_admits_loopback_but_never_metadata():
    assert validate_seed("http://127.0.0.1:8000/", SAMPLE_WORLD) == "http://127.0.0.1:8000/"
    assert validate_seed("http://riverbend.example/", SAMPLE_WORLD) == "http://riverbend.example/"
    for url in ("http://169.254.169.254/", "http://169.254.169.254.nip.io/", "http://[fe80::1]/",
                "http://0.0.0.0/", "http://224.0.0.1/", "http://[fd00:ec2::254]/", "http://[64:ff9b::a9fe:a9fe]/",
                "http://192.0.0.192/", "http://168.63.129.16/"):
        with pytest.raises(BlockedAddress):
            validate_seed(url, SAMPLE_WORLD, resolve=wildcard_dns)


def test_configured_networks_admit_exactly_those_addresses():
    mirror = Policy(allow_networks=(ipaddress.ip_network("127.0.0.1/32"),))
    assert address_allowed("127.0.0.1", mirror) and not address_allowed("127.0.0.2", mirror)
    everything = Policy(allow_networks=(ipaddress.ip_network("::/0"),))
    assert not address_allowed("fd00:ec2::254", everything)  # cloud metadata even then


def test_public_addresses_in_ipv6_forms_still_pass():
    for address in ("64:ff9b::5db8:d822", "::ffff:93.184.216.34", "2002:5db8:d822::1", "2606:2800:220:1::1"):
        assert address_allowed(address, STRICT), address


def test_the_setting_is_one_boolean_and_off_by_default(monkeypatch):
    from directory.settings import Settings

    monkeypatch.delenv("KAPDIR_ALLOW_PRIVATE_HOSTS", raising=False)
    assert Policy.from_settings(Settings()).allow_private is False
    monkeypatch.setenv("KAPDIR_ALLOW_PRIVATE_HOSTS", "true")
    assert Policy.from_settings(Settings()).allow_private is True


def test_a_dns_answer_that_changes_after_the_check_is_never_used():
    """Rebinding: the crawler's middleware and its resolver share one checked answer per host."""
    answers = iter([["93.184.216.34"], ["127.0.0.1"], ["127.0.0.1"]])
    calls = []

    def rebinding_dns(host, port):
        calls.append(host)
        return next(answers)

    checked = _CheckedAnswers(STRICT, rebinding_dns)
    assert checked.get("rebind.example.com", 0) == ["93.184.216.34"]  # the middleware's check
    assert checked.get("rebind.example.com", 0) == ["93.184.216.34"]  # the connection's lookup: same answer
    assert calls == ["rebind.example.com"]

    refused = _CheckedAnswers(STRICT, lambda host, port: ["127.0.0.1"])
    with pytest.raises(BlockedAddress):
        refused.get("evil.example.com", 0)


def _resolver_answering(monkeypatch, answers):
    """getaddrinfo that gives each of answers in turn: an address, or a gaierror errno to raise."""
    calls = []

    def getaddrinfo(host, port, *args, **kwargs):
        answer = answers[min(len(calls), len(answers) - 1)]
        calls.append(host)
        if isinstance(answer, int):
            raise socket.gaierror(answer, "resolver says no")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(egress, "DNS_RETRY_WAITS_S", (0, 0))
    return calls


def test_a_temporary_dns_failure_is_asked_again(monkeypatch):
    calls = _resolver_answering(monkeypatch, [socket.EAI_AGAIN, "93.184.216.34"])
    assert egress.system_resolve("calmharbor.com", 80) == ["93.184.216.34"]
    assert len(calls) == 2


def test_a_lasting_temporary_failure_is_not_reported_as_a_missing_name(monkeypatch):
    calls = _resolver_answering(monkeypatch, [socket.EAI_AGAIN])
    with pytest.raises(egress.TemporaryDNSFailure, match="failed temporarily"):
        egress.checked_addresses("calmharbor.com", 80, egress.Policy())
    assert len(calls) == 3


def test_no_such_name_is_answered_at_once(monkeypatch):
    calls = _resolver_answering(monkeypatch, [socket.EAI_NONAME])
    with pytest.raises(egress.BlockedAddress, match="does not resolve"):
        egress.checked_addresses("calmharbor.com", 80, egress.Policy())
    assert len(calls) == 1


def test_the_crawler_remembers_a_refusal_but_not_a_temporary_failure(monkeypatch):
    calls = _resolver_answering(monkeypatch, [socket.EAI_AGAIN, socket.EAI_AGAIN, socket.EAI_AGAIN, "93.184.216.34"])
    answers = _CheckedAnswers(STRICT)
    with pytest.raises(egress.TemporaryDNSFailure):
        answers.get("calmharbor.com", 80)
    assert answers.get("calmharbor.com", 80) == ["93.184.216.34"]
    assert len(calls) == 4
