"""Login throttling, security headers and production settings."""

import os
import subprocess
import sys
from pathlib import Path

from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from retrofit.clientip import client_ip
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def _login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def _throttled(response):
    errors = response.context["form"].errors.get("__all__", [])
    return response.status_code == 429 and bool(errors) and errors[0].startswith(("登录失败次数过多", "Too many"))


A = {"REMOTE_ADDR": "203.0.113.7"}
B = {"REMOTE_ADDR": "198.51.100.23"}


def test_five_wrong_passwords_lock_that_account_from_that_address_only(client, world):
    for _ in range(4):
        assert _login(client, "leader", "wrong", **A).status_code == 200
    assert _throttled(_login(client, "leader", "wrong", **A))
    # the right password from the same address: still throttled, and nobody is logged in
    response = _login(client, "leader", PASSWORD, **A)
    assert _throttled(response)
    assert "_auth_user_id" not in client.session
    # the street leader, from the office, logs in at once
    assert _login(client.__class__(), "leader", PASSWORD, **B).status_code == 302
    # and another account from the stranger's address is not locked either
    assert _login(client.__class__(), "staff", PASSWORD, **A).status_code == 302


def test_a_successful_login_clears_the_failures(client, world):
    for _ in range(3):
        _login(client, "staff", "wrong", **A)
    assert _login(client, "staff", PASSWORD, **A).status_code == 302
    assert not AccessAttempt.objects.filter(username="staff").exists()
    client.logout()
    for _ in range(4):  # a fresh count: four more mistakes do not lock
        _login(client, "staff", "wrong", **A)
    assert _login(client, "staff", PASSWORD, **A).status_code == 302


def test_many_usernames_from_one_address_are_throttled(client, world):
    for index in range(20):
        _login(client, f"guess{index}", "wrong", **A)
    assert _throttled(_login(client, "leader", PASSWORD, **A))
    assert _login(client, "leader", PASSWORD, **B).status_code == 302


def test_rotating_forwarded_headers_does_not_escape_the_login_throttle(client, world):
    for index in range(5):
        _login(client, "leader", "wrong", HTTP_X_REAL_IP=f"10.0.0.{index}", HTTP_X_FORWARDED_FOR=f"10.1.0.{index}", **A)
    assert _throttled(_login(client, "leader", PASSWORD, HTTP_X_REAL_IP="10.0.0.99", HTTP_X_FORWARDED_FOR="10.1.0.99", **A))
    for index in range(20):
        _login(client, f"guess{index}", "wrong", HTTP_X_REAL_IP=f"10.2.0.{index}", **B)
    assert _throttled(_login(client, "staff", PASSWORD, HTTP_X_REAL_IP="10.2.0.99", **B))


def test_behind_a_trusted_proxy_the_forwarded_address_is_throttled(client, world, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(5):
        _login(client, "leader", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    assert _throttled(_login(client, "leader", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy))
    assert _login(client, "leader", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.23", **proxy).status_code == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"


# --- the client's address --------------------------------------------------------------------------


def _ip(settings, proxies, **meta):
    settings.TRUSTED_PROXIES = proxies
    return client_ip(RequestFactory().get("/", **meta))


def test_forwarded_headers_from_an_untrusted_peer_are_ignored(settings):
    assert _ip(settings, [], REMOTE_ADDR="203.0.113.7", HTTP_X_REAL_IP="1.1.1.1") == "203.0.113.7"
    assert _ip(settings, [], REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1") == "127.0.0.1"
    assert _ip(settings, ["10.0.0.0/8"], REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="1.1.1.1") == "203.0.113.7"


def test_behind_trusted_proxies_the_right_most_untrusted_forwarded_address_is_the_client(settings):
    proxies = ["127.0.0.1", "10.0.0.0/8"]
    # what a client wrote into the header itself (left) is ignored; what our proxies appended is used
    meta = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.7, 10.1.2.3"}
    assert _ip(settings, proxies, **meta) == "203.0.113.7"
    assert _ip(settings, proxies, REMOTE_ADDR="10.3.3.3", HTTP_X_FORWARDED_FOR="203.0.113.7") == "203.0.113.7"
    assert _ip(settings, proxies, REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.8") == "203.0.113.8"
    # no header, only proxies, or garbage: the peer's own address
    assert _ip(settings, proxies, REMOTE_ADDR="127.0.0.1") == "127.0.0.1"
    assert _ip(settings, proxies, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.1, 10.0.0.2") == "10.0.0.1"
    assert _ip(settings, proxies, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-address") == "127.0.0.1"


def test_ipv6_clients_count_by_their_64_network(settings):
    # one household connection owns a whole /64: counting single addresses would let it rotate forever
    assert _ip(settings, [], REMOTE_ADDR="2001:db8:1:2:aaaa::1") == "2001:db8:1:2::"
    assert _ip(settings, [], REMOTE_ADDR="2001:db8:1:2:bbbb::9") == "2001:db8:1:2::"
    assert _ip(settings, [], REMOTE_ADDR="::ffff:203.0.113.7") == "203.0.113.7"


def test_a_local_proxy_without_trusted_proxies_is_reported_once(settings, caplog, monkeypatch):
    from retrofit import clientip

    monkeypatch.setattr(clientip, "_warned", False)
    for _ in range(2):
        assert _ip(settings, [], REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7") == "127.0.0.1"
    warnings = [r for r in caplog.records if "TRUSTED_PROXIES" in r.getMessage()]
    assert len(warnings) == 1 and "TRUSTED_PROXIES=127.0.0.1" in warnings[0].getMessage()


def test_trusted_proxies_come_from_the_environment():
    result = _manage("shell", "-c", "from django.conf import settings; print(settings.TRUSTED_PROXIES)",
                     env={"TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['127.0.0.1', '10.0.0.0/8']"
    bad = _manage("check", env={"TRUSTED_PROXIES": "localhost"})
    assert bad.returncode != 0 and "TRUSTED_PROXIES" in bad.stderr


def test_pages_carry_a_strict_script_policy_and_other_headers(client, world):
    client.force_login(world.users["staff"])
    response = client.get(reverse("unit_detail", args=[world.unit.pk]))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_page_has_an_inline_script(client, world):
    client.force_login(world.users["staff"])
    for url in [reverse("home"), reverse("unit_detail", args=[world.unit.pk]), reverse("dashboard_home")]:
        body = client.get(url, follow=True).content.decode()
        for chunk in body.split("<script")[1:]:
            tag = chunk.split(">", 1)[0]
            assert "src=" in tag or 'type="application/json"' in tag, tag


def _manage(*args, env):
    # A clean environment: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process.
    base = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG"}}
    base["DJANGO_SETTINGS_MODULE"] = "retrofit.settings"  # the product's settings, not tests/settings.py
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    database = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    result = _manage("check", env={"RETROFIT_ENV": "production", "SECRET_KEY": "", "DATABASE_URL": database})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_deploy_check_is_clean_in_production(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "RETROFIT_ENV": "production",
            "SECRET_KEY": "x" * 30 + "-a-long-and-random-production-secret-key-9f8e7d",
            "ALLOWED_HOSTS": "retrofit.example.gov.cn",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pages_that_only_read_refuse_a_post(client, world):
    """Pages, exports, printouts and dashboards that only read: a POST (a scanner, a stray form) is refused before any work."""
    client.force_login(world.users["leader"])
    unit, street = world.unit.pk, world.street.pk
    reads = [
        reverse("unit_sheet_pdf", args=[unit]),
        reverse("unit_sheet_xlsx", args=[unit]),
        reverse("unit_sheet_print", args=[unit]),
        reverse("unit_file_pdf", args=[unit]),
        reverse("unit_consent_form", args=[unit]),
        reverse("progress_workbook", args=["street", street]),
        reverse("dashboard", args=["street", street]),
        reverse("district_report_print", args=["street", street]),
        reverse("district_report_docx", args=["street", street]),
        reverse("public_link_qr", args=[unit]),
        reverse("household_code_slips", args=[unit]),
        reverse("unit_detail", args=[unit]),
        reverse("estate_detail", args=[world.unit.building.estate.pk]),
        reverse("community_visits", args=[world.community.pk]),
        reverse("unit_visits_print", args=[unit]),
        reverse("unit_works", args=[unit]),
        reverse("unit_payments", args=[unit]),
        reverse("meeting_list"),
        reverse("home"),
    ]
    for url in reads:
        assert client.post(url).status_code == 405, url
    assert client.get(reverse("dashboard", args=["street", street])).status_code == 200
