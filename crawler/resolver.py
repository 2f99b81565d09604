"""Name resolution the operator can pin: `--resolve HOST=ADDRESS` answers HOST with ADDRESS
(as curl's --resolve does: to audit a site before its DNS moves, or a staging copy), and
`--no-dns` looks up nothing else, so a crawl on a closed test network never asks a DNS server.
The private-address guard resolves through the same resolver, so it checks what is connected."""
from __future__ import annotations

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

from minhbach.crawler.safety import literal_address


class PinnedResolver(CachingThreadedResolver):
    hosts: dict[str, str] = {}
    no_dns: bool = False

    @classmethod
    def from_crawler(cls, crawler, reactor):
        resolver = super().from_crawler(crawler, reactor)
        resolver.hosts = {h.lower(): a for h, a in (crawler.settings.getdict("MINHBACH_RESOLVE") or {}).items()}
        resolver.no_dns = crawler.settings.getbool("MINHBACH_NO_DNS")
        return resolver

    def getHostByName(self, name: str, timeout=()):
        pinned = self.hosts.get(name.lower())
        if pinned:
            return defer.succeed(pinned)
        if literal_address(name) is not None:
            return defer.succeed(name)
        if self.no_dns:
            return defer.fail(DNSLookupError(f"{name}: not pinned with --resolve and --no-dns is set"))
        return super().getHostByName(name, timeout)


def parse_pins(pins: tuple[str, ...] | list[str]) -> dict[str, str]:
    """{"cong.gov.vn": "203.0.113.5"} from ("cong.gov.vn=203.0.113.5", ...); ValueError names the bad one."""
    hosts = {}
    for pin in pins:
        host, _, given = pin.partition("=")
        address = literal_address(given.strip())
        if not host or address is None:
            raise ValueError(f"--resolve {pin!r}: expected HOST=ADDRESS with an IP address")
        hosts[host.strip().lower()] = address
    return hosts
