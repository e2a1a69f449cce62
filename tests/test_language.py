"""Chinese by default, whatever the browser asks for; English only when chosen with the menu's switch."""

from django.urls import reverse


def test_an_english_browser_gets_chinese(client, world, login):
    client = login(world.users["staff"])
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "退出登录" in html and "Log out" not in html
    assert 'data-testid="language-switch"' in html and 'value="en"' in html


def test_the_switch_keeps_english_until_switched_back(client, world, login):
    client = login(world.users["staff"])
    home = reverse("home")
    response = client.post(reverse("set_language"), {"language": "en", "next": home})
    assert response.status_code == 302 and response.url == home
    html = client.get(home, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "Log out" in html and "退出登录" not in html
    assert 'value="zh-hans"' in html  # the way back, written in Chinese: 中文
    client.post(reverse("set_language"), {"language": "zh-hans", "next": home})
    assert "退出登录" in client.get(home, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_login_page_has_the_switch_and_is_chinese_for_an_english_browser(client, db):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="language-switch"' in html
    assert 'lang="zh-hans"' in html or "登录" in html


def test_an_unknown_language_in_the_cookie_falls_back_to_chinese(client, world, login):
    client = login(world.users["staff"])
    client.cookies["django_language"] = "xx"
    assert "退出登录" in client.get(reverse("home")).content.decode()
