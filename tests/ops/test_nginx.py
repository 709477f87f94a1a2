"""The shipped nginx site (deploy/nginx/): `nginx -t` passes, static files come from nginx with their
caching headers and gzip, pages come through from gunicorn, and the access log holds no credential."""
from __future__ import annotations

import gzip
import json
import re
import secrets
import shutil
import subprocess

import pytest

from ops_servers import ROOT, app_env, free_port, get, gunicorn, nginx, nginx_binary, nginx_conf, wait_until
from support import phone_ua

pytestmark = pytest.mark.skipif(
    not nginx_binary() or not shutil.which("openssl"),
    reason="nginx not installed (Debian's nginx package; .ci/run installs it in CI)")


def _conf(tmp_path, upstream_port):
    http_port, https_port = free_port(), free_port()
    media = tmp_path / "media"
    media.mkdir()
    return nginx_conf(tmp_path, upstream_port=upstream_port, http_port=http_port, https_port=https_port,
                      media=media), http_port, https_port


def test_nginx_accepts_the_shipped_site(tmp_path):
    conf, _, _ = _conf(tmp_path, free_port())
    result = subprocess.run([nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(conf)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_static_from_nginx_pages_from_gunicorn_and_a_clean_access_log(app, tmp_path):
    session_id, feed_key = secrets.token_urlsafe(32), secrets.token_hex(16)
    with gunicorn(app_env(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, EJAN_PROXY_COUNT=1),
                  tmp_path, workers=1) as (upstream, _, _):
        conf, http_port, https_port = _conf(tmp_path, int(upstream.rsplit(":", 1)[1]))
        with nginx(conf, tmp_path, http_port):
            site = f"http://127.0.0.1:{http_port}"
            css = sorted((ROOT / "ejan" / "static").rglob("*.css"))[0].relative_to(ROOT / "ejan" / "static")

            status, headers, body = get(f"{site}/static/{css}?v=abc", {"Accept-Encoding": "gzip"})
            assert status == 200
            assert headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in headers["Vary"]
            assert gzip.decompress(body) == (ROOT / "ejan" / "static" / css).read_bytes()
            assert "max-age=31536000" in headers["Cache-Control"]  # a versioned URL: a year
            assert get(f"{site}/static/{css}")[1]["Cache-Control"] == "no-cache"  # unversioned: revalidate

            status, headers, body = get(f"{site}/login", {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"})
            assert status == 200 and b"<form" in body  # a page rendered by the app behind nginx
            assert headers["Content-Security-Policy"]  # the app's headers come through
            status, _, body = get(f"{site}/readyz")
            assert status == 200 and json.loads(body)["checks"]["database"]["ok"]
            assert get(f"{site}/metrics")[0] == 404  # Prometheus scrapes gunicorn, never through nginx

            # HTTPS answers too (a self-signed certificate here).
            https = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{https_port}", "-brief"],
                                   input="", capture_output=True, text=True, timeout=20)
            assert "Protocol version: TLSv1.3" in https.stdout + https.stderr

            docomo = {"User-Agent": phone_ua("docomo_nocookie"), "Referer": f"{site}/diary?ejs={session_id}"}
            for path in (f"/diary/everyone?page=2&ejs={session_id}", f"/login?next=%2Fd%3F%65js%3D{session_id}",
                         f"/diary/feed/{feed_key}.atom"):
                assert get(site + path, docomo)[0] < 500
    log = (tmp_path / "logs" / "ejan-access.log").read_text()
    print(log)
    assert session_id not in log and feed_key not in log
    lines = [json.loads(line) for line in log.splitlines()]
    assert any(line["path"] == "/diary/feed/-" for line in lines)
    assert any(line["query"] == "page=2&ejs=-" for line in lines)
    assert all(line["referer"] in ("", "-") or not re.search("ejs", line["referer"], re.I) for line in lines)
