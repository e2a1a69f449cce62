"""Page weight on a phone over slow 4G (docs/benchmarks.md, bench/weight.py measures it in Chromium).

What the pages load is checked here by bytes, never by time: the static files each page references,
compressed as whitenoise serves them; production's hashed names with far-future immutable caching (so
a warm load asks for nothing); and pages themselves sent compressed.
"""

import functools
import gzip
import re

import brotli
import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

STATIC_REFERENCE = re.compile(r'(?:src|href)="(/static/[^"]+)"')
HASHED = re.compile(r"\.[0-9a-f]{12}\.(?:css|js|svg|ico|png)$")
ONE_YEAR = 31_536_000
# What a phone downloads for a page's styles and scripts, brotli-compressed as whitenoise sends them to
# Chromium. The dashboard's two line charts once cost 1 MB (334 KB gzipped) of full ECharts build.
DASHBOARD_STATIC_BUDGET = 250 * 1024
ORDINARY_STATIC_BUDGET = 90 * 1024
CHART_SCRIPT_BUDGET = 160 * 1024


def static_references(html: str) -> list[str]:
    return STATIC_REFERENCE.findall(html)


@functools.cache
def brotli_size(url: str) -> int:
    path = finders.find(url.removeprefix("/static/"))
    assert path, f"{url} is not a static file"
    with open(path, "rb") as handle:
        return len(brotli.compress(handle.read()))


def street_dashboard(world):
    return reverse("dashboard", kwargs={"level": "street", "pk": world.street.pk})


def test_the_dashboard_loads_a_line_chart_build_not_the_full_echarts(client, world):
    client.force_login(world.users["leader"])
    html = client.get(street_dashboard(world)).content.decode()
    references = static_references(html)
    scripts = [url for url in references if url.endswith(".js")]
    assert not any(url.endswith("vendor/echarts/echarts.min.js") for url in scripts), scripts
    charts = [url for url in scripts if "/vendor/echarts/" in url]
    assert len(charts) == 1, scripts
    assert brotli_size(charts[0]) <= CHART_SCRIPT_BUDGET
    total = sum(brotli_size(url) for url in references)
    assert total <= DASHBOARD_STATIC_BUDGET, f"{total / 1024:.0f} KB: {references}"


def test_an_ordinary_page_loads_no_chart_library(client, world):
    client.force_login(world.users["leader"])
    html = client.get(reverse("estate_detail", args=[world.estate.pk])).content.decode()
    references = static_references(html)
    assert not any("echarts" in url for url in references), references
    total = sum(brotli_size(url) for url in references)
    assert total <= ORDINARY_STATIC_BUDGET, f"{total / 1024:.0f} KB: {references}"


def test_pages_are_sent_gzipped_to_a_browser_that_accepts_it(client, world):
    client.force_login(world.users["leader"])
    response = client.get(street_dashboard(world), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert "dashboard-body" in html
    assert len(response.content) < len(html.encode()) / 3


def test_spreadsheets_go_as_they_are(client, world):
    """An .xlsx is a zip already: compressing it again only costs the server time."""
    client.force_login(world.users["leader"])
    url = reverse("progress_workbook", kwargs={"level": "street", "pk": world.street.pk})
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")


# --- production's static storage ---------------------------------------------------------------------

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic into a temporary STATIC_ROOT with the storage RETROFIT_ENV=production uses."""
    from django.conf import settings

    root = tmp_path_factory.mktemp("staticfiles")
    assert settings.STORAGES["staticfiles"]["BACKEND"] != PRODUCTION_STORAGES["staticfiles"]["BACKEND"]
    with override_settings(STORAGES=PRODUCTION_STORAGES, STATIC_ROOT=root, DEBUG=False):
        # The admin's files and htmx versions no page loads would only take time to compress.
        ignore = ["admin/*", "django_htmx/ext/*", "django_htmx/htm*-4*"]
        call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=ignore)
    # The tests that read from it say the same settings themselves; the module's other tests run without.
    return root


def test_production_settings_use_the_hashed_compressed_storage(monkeypatch):
    """retrofit/settings.py picks the storage by RETROFIT_ENV; the tests below use what it picks."""
    import importlib

    import retrofit.settings

    monkeypatch.setenv("RETROFIT_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "test-only-" + "x" * 50)
    try:
        production = importlib.reload(retrofit.settings)
        assert production.STORAGES["staticfiles"] == PRODUCTION_STORAGES["staticfiles"]
        assert "whitenoise.middleware.WhiteNoiseMiddleware" in production.MIDDLEWARE
    finally:
        monkeypatch.undo()
        importlib.reload(retrofit.settings)


@pytest.mark.parametrize("page", ["dashboard", "estate", "login"])
def test_production_pages_reference_hashed_names_served_forever_and_compressed(collected, world, page):
    with override_settings(STORAGES=PRODUCTION_STORAGES, STATIC_ROOT=collected, DEBUG=False):
        client = Client()  # a new handler: whitenoise reads the settings above when it starts
        if page == "login":
            url = reverse("login")
        else:
            client.force_login(world.users["leader"])
            url = street_dashboard(world) if page == "dashboard" else reverse("estate_detail", args=[world.estate.pk])
        response = client.get(url)
        assert response.status_code == 200
        references = static_references(response.content.decode())
        assert references, "the page loads no static file"
        unhashed = [url for url in references if not HASHED.search(url)]
        assert not unhashed, unhashed
        for reference in references:
            served = client.get(reference, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
            assert served.status_code == 200, reference
            cache = served["Cache-Control"]
            assert "immutable" in cache and "public" in cache, (reference, cache)
            assert int(re.search(r"max-age=(\d+)", cache).group(1)) >= ONE_YEAR, (reference, cache)
            if reference.endswith((".css", ".js")):  # the icons are a few KB, a PNG is compressed already
                assert served["Content-Encoding"] == "br", reference
                assert "Accept-Encoding" in served["Vary"]
            served.getvalue()  # read to the end, as a server would: the file is closed


def test_a_file_without_a_hash_is_not_cached_forever(collected, db):
    """A script fetched by its plain name (a service worker's list, say) is revalidated, not frozen."""
    with override_settings(STORAGES=PRODUCTION_STORAGES, STATIC_ROOT=collected, DEBUG=False):
        served = Client().get("/static/js/app.js")
        assert served.status_code == 200
        assert "immutable" not in served["Cache-Control"]
        served.getvalue()
