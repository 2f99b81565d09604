"""The crawl's options for one command: the crawler's defaults, then the settings file's
`[crawl]` section (and `contact_url`), then what the command line gave."""
from __future__ import annotations

from minhbach.audit.config import Settings
from minhbach.crawler.settings import CrawlOptions

# `[crawl]` keys and the crawl options they set.
FROM_SETTINGS = {
    "page_cap": "page_cap", "time_budget": "site_time_budget", "download_timeout": "download_timeout",
    "depth": "depth_cap", "concurrency": "concurrent_requests", "allow_private": "allow_private",
    "allow_private_hosts": "allowed_private_hosts", "sites_at_once": "sites_at_once",
    "incremental": "incremental", "render_js": "render_js",
}


def crawl_options(settings: Settings, **flags) -> CrawlOptions:
    options = CrawlOptions()
    for key, option in FROM_SETTINGS.items():
        value = getattr(settings.crawl, key)
        if value is not None:
            setattr(options, option, tuple(value) if isinstance(value, (list, tuple)) else value)
    if settings.contact_url:
        options.contact_url = settings.contact_url
    for key, value in flags.items():
        if value is not None:
            setattr(options, key, value)
    return options
