"""Login throttling, security headers and production settings."""

import os
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

from retrofit.models import LoginFailure
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_five_failures_lock_the_username_even_with_the_right_password(client, world):
    for _ in range(5):
        assert _login(client, "staff", "wrong").status_code == 200
    response = _login(client, "staff", PASSWORD)
    assert response.status_code == 200  # the form again, not a redirect
    assert response.context["form"].errors["__all__"][0].startswith(("登录失败次数过多", "Too many"))
    assert "_auth_user_id" not in client.session
    # another account from the same address is not locked yet
    assert _login(client, "leader", PASSWORD).status_code == 302


def test_a_successful_login_clears_the_failures(client, world):
    for _ in range(3):
        _login(client, "staff", "wrong")
    assert _login(client, "staff", PASSWORD).status_code == 302
    assert not LoginFailure.objects.filter(username="staff").exists()


def test_many_usernames_from_one_address_are_throttled(client, world):
    for index in range(20):
        _login(client, f"guess{index}", "wrong")
    assert _login(client, "leader", PASSWORD).status_code == 200


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
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", env={"RETROFIT_ENV": "production", "SECRET_KEY": "", "DATABASE_URL": "sqlite:////tmp/x.sqlite3"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_deploy_check_is_clean_in_production():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "RETROFIT_ENV": "production",
            "SECRET_KEY": "x" * 30 + "-a-long-and-random-production-secret-key-9f8e7d",
            "ALLOWED_HOSTS": "retrofit.example.gov.cn",
            "DATABASE_URL": "sqlite:////tmp/x.sqlite3",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
