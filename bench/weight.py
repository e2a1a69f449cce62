"""Page weight on a phone over slow 4G: Chromium against gunicorn with the production settings.

    DATABASE_URL=... python -m bench.weight --prefix sqlite [--repeat 3] [--workers 5]

The server is the one `make serve` runs (bench/load.py `start_server`: `collectstatic` into the
production storage, whitenoise, gunicorn, RETROFIT_ENV=production over plain HTTP on 127.0.0.1). The
browser is Chromium (Playwright, 390 px phone, Chinese) with the network throttled through the DevTools
protocol (`Network.emulateNetworkConditions`: 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up, the
"slow 4G" of Lighthouse; the CPU is not slowed).

For the street dashboard, an estate page and a unit page (bench/steps.py `targets`, as the street
leader, logged in through the login form): a cold load (browser cache emptied, session kept), then a
warm load (the same page again, as when the leader comes back to it). Each is timed from the start of
the navigation to the end of the load event (every deferred script has run, so the charts are drawn),
with the bytes that crossed the network (bodies as sent, compressed, and headers), the requests
that reached the server, and the static files sent without `Cache-Control: immutable`. The median of
``--repeat`` rounds is printed; the time to the page's first byte too, as the server's share.
Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import os
import statistics

from .common import emit, log, setup_django
from .load import HOST, PASSWORD, _free_port, start_server, stop_server

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
# Lighthouse's slow 4G (DevTools "Slow 4G" before its 2024 rename): bytes per second.
SLOW_4G = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8,
    "uploadThroughput": 750 * 1024 / 8,
    "connectionType": "cellular4g",
}
PAGES = ("street_dashboard", "estate_page", "unit_page")
# The targets: (ms, KB transferred) for a cold load; a warm load asks for no static file at all.
TARGETS = {"street_dashboard": (2500, 350), "estate_page": (1500, 120), "unit_page": (1500, 120)}


class Recorder:
    """What crossed the (emulated) network during one navigation, from the DevTools protocol's events."""

    def __init__(self, cdp, static_prefix: str):
        self.static_prefix = static_prefix
        self.requests: dict[str, str] = {}
        self.cached: set[str] = set()
        self.network: dict[str, int] = {}
        self.received: dict[str, int] = {}
        self.not_immutable: list[str] = []
        self.bytes = 0
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", self._finished)

    def reset(self) -> None:
        self.requests.clear()
        self.cached.clear()
        self.network.clear()
        self.received.clear()
        self.not_immutable.clear()
        self.bytes = 0

    def _sent(self, event) -> None:
        self.requests[event["requestId"]] = event["request"]["url"]

    def _received(self, event) -> None:
        response = event["response"]
        if response.get("fromDiskCache") or response.get("fromPrefetchCache") or response.get("fromServiceWorker"):
            self.cached.add(event["requestId"])
        else:
            self.network[event["requestId"]] = response["status"]
            headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
            if self.static_prefix in response["url"] and "immutable" not in headers.get("cache-control", ""):
                self.not_immutable.append(response["url"])

    def _finished(self, event) -> None:
        if event["requestId"] not in self.cached:
            self.bytes += event.get("encodedDataLength", 0)
            self.received[event["requestId"]] = event.get("encodedDataLength", 0)

    def sizes(self) -> list[tuple[str, float]]:
        return [(self.requests.get(rid, "?"), size / 1024) for rid, size in self.received.items()]

    def reached_server(self) -> list[str]:
        return [self.requests.get(rid, "?") for rid in self.network if rid not in self.cached]

    def static_reached_server(self) -> list[str]:
        return [url for url in self.reached_server() if self.static_prefix in url]


def _load(page, recorder: Recorder, url: str) -> dict:
    recorder.reset()
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, (url, response and response.status)
    page.wait_for_timeout(300)  # late events (loadingFinished of the last script) are delivered
    timing = page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return [n.loadEventEnd - n.startTime, n.responseStart - n.startTime]; }"
    )
    return {
        "charts": page.locator("[data-chart] svg").count(),
        "ms": timing[0],
        "first_byte_ms": timing[1],
        "kb": recorder.bytes / 1024,
        "requests": len(recorder.reached_server()),
        "static_requests": recorder.static_reached_server(),
        "sizes": recorder.sizes(),
        "not_immutable": list(recorder.not_immutable),
    }


def leader_pages(base: str) -> dict[str, tuple[str, str]]:
    from bench.steps import targets

    pages = {}
    for name, (user, path) in targets().items():
        if name in PAGES:
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
            pages[name] = (user.username, base + path)
    return pages


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prefix", default="db")
    parser.add_argument("--repeat", type=int, default=3)
    # As many gunicorn workers as `make serve` starts on this machine.
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    args = parser.parse_args(argv)
    setup_django()
    from django.conf import settings
    from django.db import connections
    from playwright.sync_api import sync_playwright

    port = _free_port()
    base = f"http://{HOST}:{port}"
    pages = leader_pages(base)
    connections.close_all()
    static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    server = start_server(port, args.workers)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                      "--disable-background-networking", "--disable-component-update", "--disable-sync",
                      "--disable-dev-shm-usage"],
            )
            # The service worker (static/js/sw.js) keeps copies of the CSS and JS that emptying the HTTP cache
            # does not reach: blocked, a cold load is a phone's first visit and a warm one the HTTP cache's.
            context = browser.new_context(
                viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", service_workers="block"
            )
            page = context.new_page()
            errors = []  # a script that fails or a CSP refusal shows in the console
            page.on("console", lambda message: message.type == "error" and errors.append(message.text))
            page.on("pageerror", lambda error: errors.append(str(error)))
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            recorder = Recorder(cdp, static_prefix)
            username = next(iter(pages.values()))[0]
            page.goto(f"{base}/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            page.locator("form button[type=submit]").click()
            page.wait_for_url(lambda address: address.startswith(base) and "/login/" not in address)  # the role's start page
            # A worker's first request pays for imports, templates and the catalogue once; a phone meets a
            # server that has been up for hours. Each page a few times per worker, unthrottled, first.
            for _user, url in pages.values():
                for _ in range(2 * args.workers):
                    context.request.get(url)
            cdp.send("Network.emulateNetworkConditions", SLOW_4G)
            for name, (_user, url) in pages.items():
                rounds = []
                for _ in range(args.repeat):
                    cdp.send("Network.clearBrowserCache")
                    cold = _load(page, recorder, url)
                    warm = _load(page, recorder, url)
                    rounds.append((cold, warm))
                    if len(rounds) == 1:
                        log(f"{name} cold: " + ", ".join(f"{u.rsplit('/', 1)[-1] or u} {kb:.1f} KB" for u, kb in cold["sizes"]))
                    if warm["static_requests"]:
                        log(f"{name}: warm load asked the server for {warm['static_requests']}")
                prefix = f"{args.prefix}.weight.{name}"
                emit(f"{prefix}.cold", statistics.median(c["ms"] for c, _w in rounds), "ms")
                emit(f"{prefix}.cold_transferred", statistics.median(c["kb"] for c, _w in rounds), "KB")
                emit(f"{prefix}.cold_requests", max(c["requests"] for c, _w in rounds), "requests")
                emit(f"{prefix}.cold_first_byte", statistics.median(c["first_byte_ms"] for c, _w in rounds), "ms")
                # Static files sent without `immutable` would be asked for again once their max-age ran out.
                emit(f"{prefix}.cold_static_not_immutable", max(len(c["not_immutable"]) for c, _w in rounds), "files")
                emit(f"{prefix}.warm", statistics.median(w["ms"] for _c, w in rounds), "ms")
                emit(f"{prefix}.warm_transferred", statistics.median(w["kb"] for _c, w in rounds), "KB")
                emit(f"{prefix}.warm_first_byte", statistics.median(w["first_byte_ms"] for _c, w in rounds), "ms")
                emit(f"{prefix}.warm_static_requests", max(len(w["static_requests"]) for _c, w in rounds), "requests")
                if name == "street_dashboard":  # the chart build did its work (and CSP let it)
                    emit(f"{prefix}.charts_drawn", min(c["charts"] for c, _w in rounds), "charts")
            emit(f"{args.prefix}.weight.console_errors", len(errors), "errors")
            for error in errors[:5]:
                log(f"console: {error}")
            browser.close()
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
