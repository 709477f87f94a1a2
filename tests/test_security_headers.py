"""Security headers on every response, HTTPS as a setting that spares keitai, private member images,
versioned static files and a favicon."""
from __future__ import annotations

import io
import re
from pathlib import Path

from flask import render_template_string
from PIL import Image

from support import PC_UA, phone_ua

TEMPLATES = Path(__file__).resolve().parents[1] / "ejan" / "templates"


def csp(response) -> dict[str, str]:
    policy = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";")) if part}


def test_every_page_refuses_framing_and_sniffing_and_keeps_urls_to_itself(app, keitai, browser, make_member):
    sato = make_member("佐藤")
    for client, path in ((app.test_client(), "/"), (browser(sato), "/"), (browser(sato), f"/members/{sato.id}"),
                         (keitai("docomo_nocookie"), "/login"), (app.test_client(), "/no-such-page")):
        response = client.get(path)
        policy = csp(response)
        assert policy["frame-ancestors"] == "frame-ancestors 'none'", path
        assert re.search(r"'nonce-[\w-]+'", policy["script-src"]), path
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_an_inline_script_marked_with_the_nonce_is_the_one_the_policy_allows(app):
    nonces = []
    for _ in range(2):
        with app.test_request_context("/", headers={"User-Agent": PC_UA}):
            app.preprocess_request()
            html = render_template_string('<script nonce="{{ csp_nonce() }}">map()</script>')
            response = app.process_response(app.make_response(html))
            nonce = re.search(r'nonce="([^"]+)"', html).group(1)
            assert f"'nonce-{nonce}'" in csp(response)["script-src"]
            nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_no_template_uses_inline_styles_the_policy_would_block():
    offenders = [str(p.relative_to(TEMPLATES)) for p in TEMPLATES.glob("[pm]*/**/*.html")
                 if re.search(r"\sstyle=|<style", p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_https_is_not_forced_by_default(app, browser, make_member):
    response = browser(make_member()).get("/")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in response.headers.get("Set-Cookie", "")
    assert app.config["EJAN_HTTPS"] == "off"


def test_https_for_pcs_leaves_keitai_on_plain_http(app, keitai, make_member, monkeypatch):
    monkeypatch.setitem(app.config, "EJAN_HTTPS", "pc")
    pc = app.test_client()
    pc.environ_base["HTTP_USER_AGENT"] = PC_UA
    redirected = pc.get("/login?next=/notifications")
    assert redirected.status_code == 301
    assert redirected.headers["Location"] == "https://localhost/login?next=/notifications"

    secure = pc.get("/login", base_url="https://localhost")
    assert secure.status_code == 200
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    member = make_member()
    login = pc.post("/login", base_url="https://localhost", data={"email": member.email, "password": "tea-harvest-2026"})
    assert "Secure" in login.headers["Set-Cookie"]

    phone = keitai("au")
    page = phone.get("/login")
    assert page.status_code == 200 and "Strict-Transport-Security" not in page.headers
    assert phone.post("/login", data={"email": member.email, "password": "tea-harvest-2026"}).status_code == 302
    assert not phone.get_cookie("ejan_session").secure

    monkeypatch.setitem(app.config, "EJAN_HTTPS", "all")
    assert keitai("au").get("/login").status_code == 301


def test_member_images_are_private_only(client, login, make_member):
    member = make_member()
    login(client, member)
    photo = io.BytesIO()
    Image.new("RGB", (300, 200), (200, 120, 40)).save(photo, "JPEG")
    photo.seek(0)
    client.post("/profile/edit", data={"nickname": "佐藤", "intro": "", "district": "",
                                       "photo": (photo, "tea.jpg", "image/jpeg")},
                content_type="multipart/form-data")

    response = client.get(f"/members/{member.id}/photo/pc")

    assert response.status_code == 200
    directives = {d.strip().split("=")[0] for d in response.headers["Cache-Control"].split(",")}
    assert "private" in directives and "public" not in directives


def test_static_files_have_versioned_urls_cached_for_a_year(app, client):
    page = client.get("/", headers={"User-Agent": PC_UA}).get_data(as_text=True)
    css = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]{12})"', page).group(1)

    versioned = client.get(css)
    assert versioned.status_code == 200
    assert versioned.cache_control.max_age == 365 * 24 * 3600 and versioned.cache_control.immutable
    unversioned = client.get("/static/css/site.css?v=000000000000")
    assert unversioned.status_code == 200 and not unversioned.cache_control.max_age
    assert client.get("/static/nothing-here.css").status_code == 404


def test_the_site_has_a_favicon(client):
    page = client.get("/", headers={"User-Agent": PC_UA}).get_data(as_text=True)
    assert re.search(r'rel="icon" href="/static/favicon\.ico\?v=', page)
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.data[:4] == b"\x00\x00\x01\x00"
