"""Playwright on Debian's Chromium: a 390 px phone in Chinese by default.

Every test here carries the ``browser`` mark, so ``pytest -m "not browser"`` leaves them out.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import PASSWORD

# live_server runs Django in a thread while Playwright's sync API holds an event loop in this one.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
MISSING = "Chromium not installed: apt-get install chromium fonts-noto-cjk"
PHONE = {"width": 390, "height": 844}
HERE = Path(__file__).parent


def pytest_configure(config):
    # pytest-playwright 0.10 defines its session fixture `base_url` as a method; not ours to fix.
    config.addinivalue_line("filterwarnings", "ignore:Session-scoped fixtures defined as instance methods")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


# Session scope, so it runs before the session-scoped `browser` fixture tries to launch.
@pytest.fixture(scope="session", autouse=True)
def _require_chromium():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(MISSING, pytrace=False)
        pytest.skip(MISSING)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A phone in Chinese that asks for reduced motion (a setting of the phone, honoured by Bootstrap): no
    sheet slides in and nothing scrolls smoothly, so a step waits for no animation to end (the browser tests
    took twice as long). tests/browser/test_vote_sheet.py keeps the motion on, for the sheet's real slide."""
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "viewport": PHONE,
        "reduced_motion": "reduce",
    }


@pytest.fixture
def log_in(live_server, page):
    """Logged in as ``user``, on the start page of their role (where the login form would have sent them).

    The session is made by Django's test client and handed to the browser as its cookie: the form itself is
    one page and a post more per test (0.5 s; a fifth of the browser tests' time), and is tested on its own
    (tests/browser/test_login.py). ``log_in_through_the_form`` types into it, as a person would."""

    def _log_in(user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        page.goto(f"{live_server.url}/login/")  # logged in, the login page sends each role to its start page
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    return _log_in


@pytest.fixture
def log_in_through_the_form(live_server, page):
    """Log in through the login form, as a person would."""

    def _log_in(user):
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_url(lambda url: "/login/" not in url)  # each role lands on its own start page
        return page

    return _log_in


def shot(page, name, full_page=False):
    """A screenshot of the step, kept only when BROWSER_SHOTS names a folder (never inside the repository),
    to look at what a test saw."""
    folder = os.environ.get("BROWSER_SHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=full_page)


def assert_fits_the_phone(page):
    """Nothing sticks out sideways: the page does not scroll horizontally at phone width."""
    width = page.evaluate("document.documentElement.scrollWidth")
    phone = page.viewport_size["width"]
    assert width <= phone, f"{page.url} is {width} px wide on a {phone} px phone"
