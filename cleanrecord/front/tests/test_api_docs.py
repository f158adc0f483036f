"""/api/v1/docs: Swagger UI from the platform's own static files (django-ninja's copy), under the strict CSP."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_the_api_docs_load_their_script_and_style_from_this_site(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assets = re.findall(r'<script[^>]*\ssrc="([^"]+)"', page) + re.findall(r'<link[^>]*\shref="([^"]+)"', page)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets) and any(a.endswith("swagger-ui.css") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset  # same origin, no CDN
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not among the static files"
    # No inline script: the only <script> without src is Swagger UI's settings, JSON data the browser never runs.
    inline = re.findall(r"<script(?![^>]*\ssrc=)([^>]*)>", page)
    assert inline == [' type="application/json" id="swagger-settings"']


def test_the_api_docs_keep_the_strict_csp(client):
    csp = client.get("/api/v1/docs")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == directives["style-src"] == "'self'"
    assert "unsafe" not in csp and "cdn" not in csp.lower() and "http" not in csp
