"""Portals whose menus and content are drawn by JavaScript: their pages are rendered in
headless Chromium (Debian's `chromium`, never a downloaded browser) through scrapy-playwright,
only for the sites that need it: those registered with `render=js`, and those whose home page
turns out to be an empty shell that loads a script bundle. Other requests go through the plain
HTTP handler. One browser context at a time and few pages in it keep memory bounded; a browser
that crashes is started again; its time counts in the site's budget (crawler/handlers.py).

A crawl that renders nothing (no JavaScript site) starts neither Playwright nor a browser.

The browser reaches nothing the crawler may not: all its traffic goes through the guarding
proxy (crawler/egress.py), it resolves no name itself, WebRTC sends nothing around the proxy,
and it keeps Chromium's sandbox whenever the crawl does not run as root (Chromium cannot start
its sandbox as root). A render whose page came from a refused address is refused with the
proxy's reason, and nothing of it is stored.
"""
from __future__ import annotations

import asyncio
import os
import shutil

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from minhbach.crawler.egress import REFUSED_HEADER, GuardingProxy
from minhbach.crawler.failures import Refused
from minhbach.crawler.handlers import SiteBudget
from minhbach.crawler.safety import AddressPolicy

CHROMIUM = "/usr/bin/chromium"


class BudgetedPlaywrightDownloadHandler(SiteBudget, ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler, with the site's time budget, and Playwright (its driver
    process) started by the first page to render rather than with every crawl: most crawls,
    and every worker's job for a plain HTML site, render nothing."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.driver_lock = asyncio.Lock()
        settings = crawler.settings
        self.proxy = GuardingProxy(AddressPolicy.from_settings(settings),
                                   pins=settings.getdict("MINHBACH_RESOLVE") or {},
                                   no_dns=settings.getbool("MINHBACH_NO_DNS"))

    async def _maybe_launch_in_thread(self) -> None:
        pass  # the engine started: nothing to render yet

    def _engine_started(self):
        return None

    async def _launch(self) -> None:
        self.proxy.start()
        options = self.config.launch_options
        options["args"] = [*options.get("args", []), *egress_arguments(self.proxy.address)]
        await super()._launch()

    async def _close(self) -> None:
        try:
            await super()._close()
        finally:
            self.proxy.stop()

    async def _download_request(self, request, spider=None):
        async with self.driver_lock:
            if getattr(self, "browser_provider", None) is None:
                await self._launch()
        refused_before = self.proxy.refused_count
        try:
            response = await super()._download_request(request, spider)
        except Refused:
            raise
        except Exception as error:
            # A navigation the proxy refused ends as the browser's own error (a tunnel that
            # failed, a frame that went away): the proxy's reason is the one to keep. (Two
            # pages render at once; either way the render failed.)
            reason = self.proxy.refusal_for(request.url)
            if reason is None and self.proxy.refused_count > refused_before:
                reason = self.proxy.latest_refusal()
            if reason is not None:
                raise _refused(reason) from error
            raise
        reason = (self.proxy.refusal_for(response.url)
                  or (self.proxy.refusal_for(request.url) if response.headers.get(REFUSED_HEADER) else None))
        if reason is not None or response.headers.get(REFUSED_HEADER):
            self.crawler.stats.inc_value("minhbach/render_refused")
            raise _refused(reason or {"kind": "private_address", "host": response.url})
        if self.proxy.refused_count > refused_before:  # subresources refused: the page itself is the site's
            self.crawler.stats.inc_value("minhbach/render_requests_refused",
                                         self.proxy.refused_count - refused_before)
        return response


def _refused(reason: dict) -> Refused:
    values = {k: v for k, v in reason.items() if k != "kind"}
    return Refused(reason["kind"], **values)


def egress_arguments(proxy: str) -> list[str]:
    """Chromium's switches that leave it one way out: the proxy, for loopback too; no name
    resolved by the browser itself (the proxy resolves, checks and connects); no WebRTC UDP
    around the proxy."""
    return [f"--proxy-server={proxy}", "--proxy-bypass-list=<-loopback>",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
            "--webrtc-ip-handling-policy=disable_non_proxied_udp", "--disable-quic"]


def chromium_path() -> str | None:
    """Debian's chromium, or MINHBACH_CHROMIUM; None when there is none."""
    path = os.environ.get("MINHBACH_CHROMIUM") or CHROMIUM
    return path if os.path.exists(path) else shutil.which("chromium")


def rendering_settings(executable: str) -> dict:
    return {
        "DOWNLOAD_HANDLERS": {"http": "minhbach.crawler.rendering.BudgetedPlaywrightDownloadHandler",
                              "https": "minhbach.crawler.rendering.BudgetedPlaywrightDownloadHandler"},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        # Playwright starts Chromium without its sandbox unless told: keep it when not root
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": executable, "headless": True,
                                      "chromium_sandbox": os.geteuid() != 0,
                                      "args": ["--disable-dev-shm-usage", "--disable-gpu"]},
        "PLAYWRIGHT_MAX_CONTEXTS": 1,              # memory: one context...
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 2,     # ...and two tabs at most
        "PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER": True,
        # nothing but the page itself: no images, fonts or media are fetched by the browser
        "PLAYWRIGHT_ABORT_REQUEST": _abort,
    }


def _abort(request) -> bool:
    return request.resource_type in ("image", "media", "font")

