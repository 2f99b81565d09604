"""Portals whose menus and content are drawn by JavaScript: their pages are rendered in
headless Chromium (Debian's `chromium`, never a downloaded browser) through scrapy-playwright,
only for the sites that need it: those registered with `render=js`, and those whose home page
turns out to be an empty shell that loads a script bundle. Other requests go through the plain
HTTP handler. One browser context at a time and few pages in it keep memory bounded; a browser
that crashes is started again; its time counts in the site's budget (crawler/handlers.py).

A crawl that renders nothing (no JavaScript site) starts neither Playwright nor a browser.
"""
from __future__ import annotations

import asyncio
import os
import shutil

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from minhbach.crawler.handlers import SiteBudget

CHROMIUM = "/usr/bin/chromium"


class BudgetedPlaywrightDownloadHandler(SiteBudget, ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler, with the site's time budget, and Playwright (its driver
    process) started by the first page to render rather than with every crawl: most crawls,
    and every worker's job for a plain HTML site, render nothing."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.driver_lock = asyncio.Lock()

    async def _maybe_launch_in_thread(self) -> None:
        pass  # the engine started: nothing to render yet

    def _engine_started(self):
        return None

    async def _download_request(self, request, spider=None):
        async with self.driver_lock:
            if getattr(self, "browser_provider", None) is None:
                await self._launch()
        return await super()._download_request(request, spider)


def chromium_path() -> str | None:
    """Debian's chromium, or MINHBACH_CHROMIUM; None when there is none."""
    path = os.environ.get("MINHBACH_CHROMIUM") or CHROMIUM
    return path if os.path.exists(path) else shutil.which("chromium")


def rendering_settings(executable: str) -> dict:
    return {
        "DOWNLOAD_HANDLERS": {"http": "minhbach.crawler.rendering.BudgetedPlaywrightDownloadHandler",
                              "https": "minhbach.crawler.rendering.BudgetedPlaywrightDownloadHandler"},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": executable, "headless": True,
                                      "args": ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]},
        "PLAYWRIGHT_MAX_CONTEXTS": 1,              # memory: one context...
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 2,     # ...and two tabs at most
        "PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER": True,
        # nothing but the page itself: no images, fonts or media are fetched by the browser
        "PLAYWRIGHT_ABORT_REQUEST": _abort,
    }


def _abort(request) -> bool:
    return request.resource_type in ("image", "media", "font")

