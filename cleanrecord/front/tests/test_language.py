"""The language switch in every page's header: 简体中文 by default, English on request, kept in a cookie."""

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_pages_are_chinese_by_default_and_offer_english(client):
    html = client.get("/").content.decode()
    assert '<html lang="zh-CN">' in html
    assert "主体查询" in html
    assert 'action="/i18n/setlang/"' in html and 'name="language" value="en"' in html and ">English</button>" in html


@pytest.mark.django_db
def test_choosing_english_keeps_it_in_the_cookie_and_returns_to_the_page(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/verify"})
    assert response.status_code == 302 and response["Location"] == "/verify"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get("/verify").content.decode()
    assert '<html lang="en">' in html
    assert "Verify a dedicated credit report" in html and "Find an entity" in html
    assert "专用信用报告核验" not in html
    # Back to Chinese from the same switch.
    assert 'name="language" value="zh-hans"' in html and ">简体中文</button>" in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/verify"})
    assert "专用信用报告核验" in client.get("/verify").content.decode()


@pytest.mark.django_db
def test_a_browser_asking_for_english_gets_english(client):
    html = client.get("/verify", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert "Verify a dedicated credit report" in html


@pytest.mark.django_db
def test_a_switch_to_another_site_stays_here(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302 and not response["Location"].startswith("https://evil.example")
