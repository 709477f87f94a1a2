"""Steps more than one journey takes: the people seeded before a journey starts, a survey built in
the builder, a keitai logging in."""
from __future__ import annotations

import re

from ejan.clock import today_jst
from ejan.communities.directory import create_community
from ejan.communities.membership import join
from ejan.members import services as members
from ejan.members.models import ROLE_ADMIN
from support import PASSWORD
from walk import Person, session_in_url


def seed_member(email: str, nickname: str, *, role: str = "member", district: str | None = None, invited_by=None):
    """What `flask ejan create-admin` does for the first administrator, and the members a journey
    takes as already there (they joined by invitation long ago)."""
    return members.create_member(email, nickname, PASSWORD, role=role, district=district, invited_by=invited_by)


def seed_admin(email: str = "bousai@city.kakegawa.example", nickname: str = "掛川市役所"):
    return seed_member(email, nickname, role=ROLE_ADMIN)


def seed_community(owner, name: str, category: str, *, members_=(), description: str = "") -> int:
    community = create_community(owner, name=name, category=category, description=description or name)
    for member in members_:
        join(member, community.id)
    return community.id


def build_survey(person: Person, start: str, title: str, questions: list[dict], *, shots: bool = True) -> int:
    """In the builder: the survey's settings (opening now, closing in two weeks: the form's own
    defaults), then each question; returns the survey's id (read from the address)."""
    person.go(start)
    person.fill("タイトル", title)
    # The form proposes the next full hour; the journey opens it at once, from today 00:00. The date too:
    # after 23:00 in Japan the next full hour is tomorrow's, and tomorrow 00:00 is not open yet.
    person.fill("開始日（例 2026-12-05）", today_jst().isoformat())
    person.fill("開始時刻（例 09:00）", "00:00")
    if shots:
        person.shot("survey-settings")
    person.press("下書きを作る")
    match = re.search(r"/surveys/(\d+)", person.page.url)
    if not match:
        raise person.fail("saving the survey's settings did not lead to the survey's page")
    survey_id = int(match.group(1))
    for question in questions:
        person.press("質問を追加する", kind="link")
        person.select("質問の種類", question["kind"])
        person.fill("質問文", question["prompt"])
        if "options" in question:
            person.fill("選択肢（1行に1つ）", "\n".join(question["options"]))
        if question.get("required"):
            person.check("回答を必須にする")
        person.press("保存する")
    person.see(questions[-1]["prompt"], why="the last question was saved")
    if shots:
        person.shot("survey-questions")
    return survey_id


def keitai_login(person: Person, email: str, password: str = PASSWORD, shot: str | None = "keitai-login") -> str:
    """A cookieless keitai logs in; from now on its session travels in every link."""
    person.go("/login")
    content_type = person.page.evaluate("document.contentType + ';' + document.characterSet")
    if "shift_jis" not in content_type.lower():
        raise person.fail(f"the keitai login page is not Shift_JIS ({content_type})")
    person.fill("メールアドレス", email)
    person.fill("パスワード", password)
    if shot:
        person.shot(shot)
    person.press("ログイン")
    return session_in_url(person)


def keitai_answer(person: Person, answers: list, shot: str = "keitai-answer") -> None:
    """Answer a survey on a keitai, one question a page: an option's words to tick it (a list for
    several), {"text": …} to write, a number for the 1–5 scale; 次へ, and 送信 on the last page."""
    for number, answer in enumerate(answers, 1):
        if isinstance(answer, dict):
            area = person.page.locator("textarea")
            if area.count() == 0:
                raise person.fail(f"question {number} has no box to write in")
            area.first.fill(answer["text"])
        else:
            for option in answer if isinstance(answer, list) else [answer]:
                person.choose(str(option))
        if number == len(answers):
            person.shot(shot)
            person.press("送信")
        else:
            person.press("次へ")
