"""Walk the demo site as residents would, on a PC and on a cookieless i-mode phone, following every link.

Every page must answer without a server error. On the phone every page is also held to the keitai
rules (10 KB, no clashing accesskeys), which the app checks itself in tests.
"""
from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

import pytest

from ejan.demo import load
from support import PC_UA, phone_ua

LINK = re.compile(r'href="(/[^"]*)"')
SKIP = ("/static/", "/jump", "/diary/feed/")
LIMIT = 250


def crawl(client, start: str) -> dict[str, int]:
    seen: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < LIMIT:
        url = queue.popleft()
        path = urlsplit(url).path
        key = path + "?" + "&".join(sorted(p for p in urlsplit(url).query.split("&") if not p.startswith("ejs=")))
        if key in seen or path.startswith(SKIP):
            continue
        response = client.get(url)
        seen[key] = response.status_code
        if response.status_code == 200 and response.mimetype == "text/html":
            charset = response.mimetype_params.get("charset", "utf-8").lower()
            html = response.data.decode("cp932" if charset == "shift_jis" else "utf-8")
            queue.extend(link.replace("&amp;", "&") for link in LINK.findall(html))
    return seen


@pytest.mark.parametrize("device", ["pc", "docomo_nocookie"])
def test_every_page_reachable_from_home_answers_without_an_error(app, device):
    load()
    client = app.test_client(use_cookies=device == "pc")
    client.environ_base["HTTP_USER_AGENT"] = PC_UA if device == "pc" else phone_ua(device)
    landing = client.post("/login", data={"email": "resident02@e-jan.kakegawa.example", "password": "kakegawa-demo"})
    assert landing.status_code == 302
    seen = crawl(client, landing.headers["Location"])
    assert len(seen) > 60, "the crawl found too few pages to mean anything"
    errors = {url: status for url, status in seen.items() if status >= 500}
    assert not errors
    assert all(status in (200, 302, 403, 404) for status in seen.values()), seen
