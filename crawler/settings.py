"""Crawl settings: polite and safe defaults, overridable per run."""
from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from minhbach.crawler.resolver import parse_pins

try:
    VERSION = version("minhbach")
except PackageNotFoundError:  # running from a checkout without install
    VERSION = "0.0.0"

DEFAULT_CONTACT_URL = "https://github.com/minhbach/minhbach"


@dataclass
class CrawlOptions:
    page_cap: int = 300
    site_time_budget: float = 900.0  # seconds per site
    depth_cap: int = 8
    max_response_bytes: int = 15 * 1024 * 1024
    download_timeout: float = 30.0
    concurrent_requests: int = 32
    per_host: int = 2
    autothrottle: bool = True
    obey_robots: bool = True
    allow_private: bool = False
    allowed_private_hosts: tuple[str, ...] = ()
    contact_url: str = DEFAULT_CONTACT_URL
    max_query_variants: int = 25
    document_head_limit: int = 100
    # "auto": render in Debian's chromium the sites registered render=js and those whose home page
    # is a script shell, when chromium is there; "off": never (crawler/rendering.py)
    render_js: str = "auto"
    attachment_limit: int = 20               # documents of disclosure sections read per site...
    attachment_max_bytes: int = 5 * 1024 * 1024  # ...each up to this size (larger: size only)
    retry_times: int = 1
    log_level: str = "ERROR"
    resolve: tuple[str, ...] = ()       # HOST=ADDRESS pins, as curl --resolve
    no_dns: bool = False                # resolve only pinned names and IP literals
    ca_file: str = ""                   # extra CA certificates (PEM) trusted by the TLS check
    # Sites crawled at the same time: memory grows with these, not with the sites done before.
    sites_at_once: int = 64
    incremental: bool = True            # ask "changed since?" for pages an earlier crawl stored


def user_agent(contact_url: str) -> str:
    return f"minhbach/{VERSION} (transparency audit of public portals; +{contact_url})"


def build_settings(options: CrawlOptions) -> dict:
    return {
        "BOT_NAME": "minhbach",
        "USER_AGENT": user_agent(options.contact_url),
        "ROBOTSTXT_OBEY": options.obey_robots,
        "AUTOTHROTTLE_ENABLED": options.autothrottle,
        "AUTOTHROTTLE_START_DELAY": 0.25,
        "AUTOTHROTTLE_MAX_DELAY": 10.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(options.per_host),
        "CONCURRENT_REQUESTS": options.concurrent_requests,
        "CONCURRENT_REQUESTS_PER_DOMAIN": options.per_host,
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
        "DOWNLOAD_MAXSIZE": options.max_response_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "DOWNLOAD_TIMEOUT": options.download_timeout,
        "RETRY_TIMES": options.retry_times,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": options.log_level,
        "LOG_INSTALL_ROOT_HANDLER": False,  # minhbach prints its own progress and tables
        # A development lint that re-reads the callback's source on every response.
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
        "DEPTH_LIMIT": 0,  # the spider applies its own depth cap before scheduling
        "DOWNLOADER_MIDDLEWARES": {
            "minhbach.crawler.middlewares.PrivateAddressGuard": 50,
            "minhbach.crawler.middlewares.SiteScopeMiddleware": 60,
            "minhbach.crawler.middlewares.ConditionalRequests": 70,
            # after Scrapy's RobotsTxtMiddleware (100): a host's robots.txt is read by then
            "minhbach.crawler.middlewares.CrawlDelay": 110,
        },
        "MINHBACH_PAGE_CAP": options.page_cap,
        "MINHBACH_SITE_TIME_BUDGET": options.site_time_budget,
        "MINHBACH_DEPTH_CAP": options.depth_cap,
        "MINHBACH_ALLOW_PRIVATE": options.allow_private,
        "MINHBACH_ALLOWED_PRIVATE_HOSTS": list(options.allowed_private_hosts),
        "MINHBACH_MAX_QUERY_VARIANTS": options.max_query_variants,
        "MINHBACH_DOCUMENT_HEAD_LIMIT": options.document_head_limit,
        "MINHBACH_ATTACHMENT_LIMIT": options.attachment_limit,
        "MINHBACH_RENDER_JS": False,  # set by the runner when a browser is there (crawler/rendering.py)
        "MINHBACH_ATTACHMENT_MAX_BYTES": options.attachment_max_bytes,
        "MINHBACH_SITES_AT_ONCE": options.sites_at_once,
        "DNS_RESOLVER": "minhbach.crawler.resolver.PinnedResolver",
        "MINHBACH_RESOLVE": parse_pins(options.resolve),
        "MINHBACH_NO_DNS": options.no_dns,
        "MINHBACH_CA_FILE": options.ca_file,
        "REDIRECT_MAX_TIMES": 10,
        "DOWNLOAD_HANDLERS": {"http": "minhbach.crawler.handlers.BudgetedHTTPDownloadHandler",
                              "https": "minhbach.crawler.handlers.BudgetedHTTPDownloadHandler"},
    }
