"""Browser checks: the app served on 127.0.0.1 to Debian's headless Chromium, driven by Playwright.

Playwright's own browser download cannot work here, so it launches /usr/bin/chromium (`.ci/run`
installs it in CI). Without that executable, or without the playwright package, every test marked
`browser` is skipped and the run says so in one plain line at its end.
"""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from support import CHROMIUM, CHROMIUM_ARGS, PASSWORD, VIEWPORTS, chromium_missing as missing


def pytest_collection_modifyitems(config, items):
    reason = missing()
    if reason is None:
        return
    skip = pytest.mark.skip(reason=f"browser tests skipped: {reason}")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    reason = missing()
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "browser" in r.keywords]
    if reason and skipped:
        terminalreporter.write_line(f"browser tests skipped: {reason} ({len(skipped)} tests)", yellow=True, bold=True)


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # a line per request would drown a failing test's output
        pass


@pytest.fixture(scope="session")
def live_server(app):
    """The test app (its migrated database, its media folder) on a free port of 127.0.0.1."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(chromium, live_server, csrf_on):
    """open_page("phone") is a fresh browser tab of that screen size; open_page("pc", member) is one
    logged in as that member through the login form, as a resident does it (with CSRF on)."""
    contexts = []

    def open_(screen: str, member=None):
        # bypass_csp: axe-core is injected by the test, not served by the site.
        context = chromium.new_context(base_url=live_server, locale="ja-JP", bypass_csp=True, **VIEWPORTS[screen])
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        if member is not None:
            page.goto("/login")
            page.fill("input[name=email]", member.email)
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click("form button[type=submit]")
            assert "/login" not in page.url, "login failed"
        return page

    yield open_
    for context in contexts:
        context.close()
