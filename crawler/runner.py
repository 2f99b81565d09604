"""Run one crawl in this process: Scrapy on the given sites, every item handed to the
pipelines the caller installs, back when the last site is done.

The crawler does not know where items go. The application passes its item pipeline (by
import path, as Scrapy's ITEM_PIPELINES takes it) and the settings that pipeline reads.
"""
from __future__ import annotations

from collections.abc import Callable
from importlib.util import find_spec

from scrapy import signals
from scrapy.crawler import CrawlerProcess

from minhbach.crawler.items import PageItem
from minhbach.crawler.previous import EarlierCrawls
from minhbach.crawler.settings import CrawlOptions, build_settings
from minhbach.crawler.site import SiteState, SiteTarget
from minhbach.crawler.spider import AgencySpider, site_finished


def run_crawl(
    targets: list[SiteTarget],
    options: CrawlOptions,
    pipelines: dict[str, int],
    extra_settings: dict | None = None,
    on_page: Callable[[str], None] | None = None,
    on_site_done: Callable[[SiteState], None] | None = None,
    earlier: EarlierCrawls | None = None,
) -> dict:
    """Crawl `targets`; `pipelines` maps item-pipeline import paths to their order; `earlier`
    gives what earlier crawls stored of each site (an incremental recrawl). Returns Scrapy's
    stats of the crawl."""
    settings = build_settings(options)
    # Rendering needs the 'render' part (scrapy-playwright) and Debian's chromium; without either,
    # a portal drawn by script is "unknown" with that reason, never failed.
    if options.render_js != "off" and find_spec("scrapy_playwright") is not None:
        from minhbach.crawler.rendering import chromium_path, rendering_settings

        executable = chromium_path()
        if executable:
            settings.update(rendering_settings(executable), MINHBACH_RENDER_JS=True)
    settings["ITEM_PIPELINES"] = dict(pipelines)
    settings.update(extra_settings or {})
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(AgencySpider)
    if on_page:
        def _scraped(item, **_):
            if isinstance(item, PageItem):
                on_page(item.agency_code)
        crawler.signals.connect(_scraped, signal=signals.item_scraped, weak=False)
    if on_site_done:
        crawler.signals.connect(lambda site, **_: on_site_done(site), signal=site_finished, weak=False)
    process.crawl(crawler, targets=targets, earlier=earlier)
    process.start()
    return crawler.stats.get_stats()
