"""Portals whose menus and content are drawn by JavaScript: their pages are rendered in
headless Chromium (Debian's `chromium`, never a downloaded browser) through scrapy-playwright,
only for the sites that need it: those registered with `render=js`, and those whose home page
turns out to be an empty shell that loads a script bundle. Other requests go through the plain
HTTP handler. One browser context at a time and few pages in it keep memory bounded; a browser
that crashes is started again; its time counts in the site's budget (crawler/handlers.py).

Imported only by crawls that render: a crawl without JavaScript sites starts no browser.
"""
from __future__ import annotations

import os
import shutil

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from minhbach.crawler.handlers import SiteBudget

CHROMIUM = "/usr/bin/chromium"


class BudgetedPlaywrightDownloadHandler(SiteBudget, ScrapyPlaywrightDownloadHandler):
    pass


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


def rendered_request_meta() -> dict:
    """What a request to be rendered carries."""
    return {"playwright": True, "playwright_context": "render"}
