"""The 404, 403 and 500 pages speak Chinese with DEBUG off (a stale QR link, an out-of-scope link, a crash).

The 500 page is rendered by Django without a request context and must not touch the database, so it is a
static template; this module doubles as a urlconf that adds a view which always fails.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

from retrofit import urls as project_urls


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom), path("", include(project_urls))]


@pytest.fixture(autouse=True)
def _production_errors(settings):
    settings.DEBUG = False


def test_an_unknown_address_answers_a_chinese_404(client, world):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Not Found" not in page and "页面不存在" in page
    assert 'data-testid="not-found"' in page


def test_an_out_of_scope_unit_answers_the_same_chinese_404(client, world):
    client.force_login(world.users["staff"])
    response = client.get(reverse("unit_detail", args=[world.far_unit.pk]))
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and world.far_unit.building.estate.name not in page


@pytest.mark.urls("tests.test_error_pages")
def test_a_crash_answers_a_static_chinese_500_without_the_database(client, world):
    client.raise_request_exception = False
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器出错" in page and "boom" not in page
    assert len(queries) == 0
