"""People walking the site in Chromium, step by step, with a screenshot at every step.

Every helper fails with a sentence a person can act on: which person, on which screen and page,
missed which button, field or text ("佐藤 (phone) on /friends/requests: the 「承認する」 button is
missing"), or which mail did not arrive in how long.
"""
from __future__ import annotations

import http.client
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from support import PASSWORD, VIEWPORTS, phone_ua

SESSION_PARAM = "ejs"
FIND_MS = 5_000  # how long a button or field may take to appear before the step fails
# A keitai's screen: a 2007 flip phone's browser area, about 240 by 320 pixels.
KEITAI = {"viewport": {"width": 240, "height": 320}, "user_agent": phone_ua("docomo_nocookie")}


class JourneyError(AssertionError):
    pass


def _without_cookies(route) -> None:
    request = route.request
    parts = urlsplit(request.url)
    headers = {k: v for k, v in request.headers.items() if k.lower() not in ("cookie", "host")}
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(request.method, urlunsplit(("", "", parts.path, parts.query, "")),
                           body=request.post_data_buffer, headers=headers)
        response = connection.getresponse()
        body = response.read()
        kept = {k: v for k, v in response.getheaders() if k.lower() not in ("set-cookie", "transfer-encoding")}
    finally:
        connection.close()
    route.fulfill(status=response.status, headers=kept, body=body)


@dataclass
class Journey:
    """One journey's run: the site, the browser, its mailbox and its numbered screenshots."""
    site: object
    browser: object
    mailbox: object
    folder: Path
    screen: str
    people: list = field(default_factory=list)
    step: int = 0

    def person(self, name: str, *, keitai: bool = False) -> "Person":
        options = KEITAI if keitai else VIEWPORTS[self.screen]
        context = self.browser.new_context(base_url=self.site.url, locale="ja-JP", **options)
        context.set_default_timeout(15_000)
        person = Person(self, name, "keitai" if keitai else self.screen, context, context.new_page())
        if keitai:
            # i-mode browser 1.0 keeps no cookies, so the journey passes only if the session really
            # travels in the URL. Chromium cannot be told to drop them (a route may not remove the
            # Cookie header, and route.fetch shares the context's cookie jar), so the phone's requests
            # are made here, by http.client, which keeps none; redirects go back to the browser,
            # which follows them itself (a route sees only the first request), so its jar is
            # emptied before each answer too.
            def without_cookies(route):
                context.clear_cookies()
                _without_cookies(route)
            context.route("**/*", without_cookies)
        self.people.append(person)
        return person

    def shot_path(self, who: "Person", name: str) -> Path:
        self.step += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        return self.folder / f"{self.step:02d}-{who.screen}-{slug}.png"

    def close(self):
        for person in self.people:
            person.context.close()

    # --- the mailbox: the one thing read behind the site's back ---------------------------------
    def mail(self, to: str, about: str, seconds: float = 15, *, after: int = 0):
        """The newest mail to `to` whose subject or text contains `about`, waited for."""
        deadline = time.monotonic() + seconds
        while True:
            for message in reversed(self.mailbox.to(to)[after:]):
                if about in str(message["Subject"]) or about in self.mailbox.text_of(message):
                    return message
            if time.monotonic() > deadline:
                got = [str(m["Subject"]) for m in self.mailbox.to(to)]
                raise JourneyError(f"no mail to {to} about 「{about}」 arrived within {seconds:g} s "
                                   f"(mails to that address: {got or 'none'}); is the Celery worker running "
                                   f"and the SMTP server reachable?")
            time.sleep(0.1)

    def link_in(self, message, path_part: str) -> str:
        text = self.mailbox.text_of(message)
        for url in re.findall(r"https?://\S+", text):
            if path_part in url:
                return url
        raise JourneyError(f"the mail 「{message['Subject']}」 holds no link to {path_part}:\n{text[:600]}")


@dataclass
class Person:
    journey: Journey
    name: str
    screen: str
    context: object
    page: object

    @property
    def where(self) -> str:
        parts = urlsplit(self.page.url)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != SESSION_PARAM]
        return parts.path + (f"?{urlencode(query)}" if query else "")

    def fail(self, what: str) -> JourneyError:
        self.shot("failed")
        return JourneyError(f"{self.name} ({self.screen}) on {self.where}: {what}")

    def shot(self, name: str) -> Path:
        path = self.journey.shot_path(self, name)
        self.page.screenshot(path=str(path), full_page=True)
        return path

    # --- moving around --------------------------------------------------------------------------
    def go(self, path: str, shot: str | None = None):
        """Open a page by its address (a bookmark, a link in a mail); a keitai keeps its session in it."""
        if self.screen == "keitai" and path.startswith("/"):
            session = dict(parse_qsl(urlsplit(self.page.url).query)).get(SESSION_PARAM)
            if session:
                path += ("&" if "?" in path else "?") + urlencode({SESSION_PARAM: session})
        response = self.page.goto(path)
        self._check(response, f"opening {path}")
        if shot:
            self.shot(shot)
        return response

    def _check(self, response, doing: str):
        if response is not None and response.status >= 500:
            raise self.fail(f"the server answered {response.status} when {doing}")

    def control(self, text: str, *, kind: str = "button", within=None):
        scope = within or self.page
        if kind == "button":
            locator = scope.get_by_role("button", name=text).or_(scope.locator(f"input[type=submit][value*='{text}']"))
        elif kind == "link":
            locator = scope.get_by_role("link", name=text)
        else:
            locator = scope.get_by_role("button", name=text).or_(scope.get_by_role("link", name=text))
        try:
            locator.first.wait_for(state="visible", timeout=FIND_MS)
        except PlaywrightTimeout:
            raise self.fail(f"the 「{text}」 {'link' if kind == 'link' else 'button'} is missing") from None
        return locator.first

    def press(self, text: str, *, kind: str = "button", within=None, shot: str | None = None, navigates: bool = True):
        """Click a button or link by its words, and wait for the page it leads to."""
        target = self.control(text, kind=kind, within=within)
        if navigates:
            try:
                with self.page.expect_navigation() as nav:
                    target.click()
            except PlaywrightTimeout:
                raise self.fail(f"pressing 「{text}」 led nowhere") from None
            self._check(nav.value, f"pressing 「{text}」")
        else:
            target.click()
        if shot:
            self.shot(shot)

    def field(self, label: str, *, within=None, exact: bool = False):
        """A field by its label; exact=True when the label is also the start of another's
        (「避難所」 and the 「避難所にいます」 option)."""
        scope = within or self.page
        locator = scope.get_by_label(label, exact=exact)
        if self.screen == "keitai":
            # Keitai pages (cHTML) write a field's name as plain text before it, without <label>.
            locator = locator.or_(scope.locator(
                "xpath=//*[self::input[not(@type='hidden')] or self::textarea or self::select]"
                f"[preceding::text()[normalize-space()][1][contains(., {_xpath_string(label)})]]"))
        try:
            locator.first.wait_for(state="attached", timeout=FIND_MS)
        except PlaywrightTimeout:
            raise self.fail(f"the 「{label}」 field is missing") from None
        return locator.first

    def choose(self, option: str, *, within=None):
        """Tick the radio button or check box of an option, by its words."""
        scope = within or self.page
        locator = scope.get_by_label(option, exact=True).or_(scope.locator(
            "xpath=//input[@type='radio' or @type='checkbox']"
            f"[following::text()[normalize-space()][1][normalize-space(.) = {_xpath_string(option)}]]"))
        try:
            locator.first.wait_for(state="attached", timeout=FIND_MS)
        except PlaywrightTimeout:
            raise self.fail(f"there is no 「{option}」 to choose") from None
        locator.first.check()

    def fill(self, label: str, value: str, *, within=None):
        self.field(label, within=within).fill(value)

    def select(self, label: str, option: str | list[str], *, within=None, exact: bool = False):
        try:
            self.field(label, within=within, exact=exact).select_option(label=option)
        except PlaywrightError as error:
            raise self.fail(f"the 「{label}」 list has no 「{option}」 ({error.message.splitlines()[0]})") from None

    def check(self, label: str, *, within=None):
        self.field(label, within=within).check()

    def upload(self, label: str, path: Path, *, within=None):
        self.field(label, within=within).set_input_files(str(path))

    def see(self, text: str, *, seconds: float = 5, why: str = ""):
        try:
            self.page.get_by_text(text).first.wait_for(state="visible", timeout=seconds * 1000)
        except PlaywrightTimeout:
            raise self.fail(f"「{text}」 does not show{' (' + why + ')' if why else ''}") from None

    def see_after_reload(self, text: str, *, seconds: float = 10, why: str = ""):
        """Reload until the text shows: a page the site keeps a few seconds in its cache (the disaster
        screen) shows a change a little later, as a person pressing reload sees it."""
        self._reload_until(lambda: self.page.get_by_text(text).count(), seconds,
                           f"「{text}」 does not show after reloading for {seconds:g} s{' (' + why + ')' if why else ''}")

    def gone_after_reload(self, text: str, *, seconds: float = 10, why: str = ""):
        """Reload until the text has gone (see see_after_reload)."""
        self._reload_until(lambda: not self.page.get_by_text(text).count(), seconds,
                           f"「{text}」 still shows after reloading for {seconds:g} s{' (' + why + ')' if why else ''}")

    def _reload_until(self, done, seconds: float, failure: str):
        deadline = time.monotonic() + seconds
        while not done():
            if time.monotonic() > deadline:
                raise self.fail(failure)
            time.sleep(1)
            self._check(self.page.reload(), "reloading")

    def login(self, email: str, password: str = PASSWORD, shot: str | None = None):
        self.go("/login")
        self.fill("メールアドレス", email)
        self.fill("パスワード", password)
        self.press("ログイン")
        if "/login" in self.page.url:
            raise self.fail(f"logging in as {email} failed")
        if shot:
            self.shot(shot)


def _xpath_string(text: str) -> str:
    return f"'{text}'" if "'" not in text else f'"{text}"'


def session_in_url(person: Person) -> str:
    session = dict(parse_qsl(urlsplit(person.page.url).query)).get(SESSION_PARAM)
    if not session:
        raise person.fail(f"the session is not in the address ({SESSION_PARAM}=…), so a phone without cookies is logged out")
    return session


def strip_session(url: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != SESSION_PARAM]
    return urlunsplit(parts._replace(query=urlencode(query)))
