"""Journey 3, a moderator's community survey (docs/journeys.md): the owner of the PTA community
builds a five-question survey, opens it, members answer (one on a keitai), the owner reminds
those who have not answered, closes it, looks at the charts and downloads the CSV."""
from __future__ import annotations

import csv
import io

import pytest

from steps import build_survey, keitai_answer, keitai_login, seed_admin, seed_community, seed_member

pytestmark = pytest.mark.journey

TITLE = "運動会についてのアンケート"
QUESTIONS = [
    {"kind": "ひとつ選ぶ", "prompt": "運動会の日程は？", "options": ["土曜日", "日曜日", "どちらでもよい"], "required": True},
    {"kind": "いくつでも選ぶ", "prompt": "手伝える係は？", "options": ["受付", "テント設営", "片付け"]},
    {"kind": "5段階（1〜5）", "prompt": "昨年の運動会の満足度は？"},
    {"kind": "ひとつ選ぶ", "prompt": "お弁当は？", "options": ["家族で食べる", "子どもだけ"]},
    {"kind": "自由に書く", "prompt": "学校へのご意見"},
]


def _answer_on_screen(person, choices: dict, opinion: str):
    for prompt, option in choices.items():
        fieldset = person.page.locator("fieldset", has_text=prompt)
        for one in option if isinstance(option, list) else [option]:
            person.choose(one, within=fieldset)
    person.fill("学校へのご意見", opinion)
    person.shot("member-answers")
    person.press("回答を送る")
    person.see("回答を送りました")


def test_a_moderators_community_survey(journey):
    city = seed_admin()
    chair = seed_member("ishikawa@example.jp", "PTA会長の石川", invited_by=city)
    ito = seed_member("ito@example.jp", "伊藤", invited_by=chair)
    kato = seed_member("kato@example.jp", "加藤", invited_by=chair)
    kobayashi = seed_member("kobayashi@example.jp", "小林", invited_by=chair)
    community_id = seed_community(chair, "第一小学校PTA", "学校・PTA", members_=(ito, kato, kobayashi))

    owner = journey.person("石川さん")
    owner.login(chair.email)
    owner.go(f"/communities/{community_id}/surveys")
    survey_id = build_survey(owner, f"/communities/{community_id}/surveys/new", TITLE, QUESTIONS)
    owner.press("公開する", shot="survey-open")
    journey.mail(ito.email, TITLE, seconds=15)  # the members hear of it

    ito_page = journey.person("伊藤さん")
    ito_page.login(ito.email)
    ito_page.go(f"/surveys/{survey_id}")
    ito_page.press("回答する", kind="link")
    _answer_on_screen(ito_page, {"運動会の日程は？": "日曜日", "手伝える係は？": ["受付", "片付け"],
                                 "昨年の運動会の満足度は？": "4", "お弁当は？": "家族で食べる"},
                      "テントの数を増やしてください。")

    phone = journey.person("加藤さんの携帯", keitai=True)
    keitai_login(phone, kato.email, shot=None)
    phone.go(f"/surveys/{survey_id}")
    phone.press("回答する", kind="link")
    keitai_answer(phone, ["土曜日", ["テント設営"], "5", "子どもだけ", {"text": "朝の受付を早めてほしいです。"}])
    phone.see("回答を送りました")
    phone.shot("keitai-answered")

    # The owner reminds those who have not answered: 小林さん only.
    before = {m.email: len(journey.mailbox.to(m.email)) for m in (ito, kato, kobayashi)}
    owner.go(f"/surveys/{survey_id}")
    owner.press("未回答の人にお知らせする", shot="reminder-sent")
    journey.mail(kobayashi.email, "回答のお願い", seconds=15, after=before[kobayashi.email])
    for member in (ito, kato):
        late = [str(m["Subject"]) for m in journey.mailbox.to(member.email)[before[member.email]:]]
        assert not any("回答のお願い" in s for s in late), \
            f"{member.nickname} answered but was reminded anyway: {late}"

    owner.press("いま締め切る", shot="survey-closed")
    owner.press("結果", kind="link", shot="survey-charts")
    owner.see("運動会の日程は？")
    charts = owner.page.locator("svg, img[src*='chart']")
    if charts.count() < 4:
        raise owner.fail(f"the results show {charts.count()} charts for 4 choice and scale questions")
    with owner.page.expect_download() as download:
        owner.control("CSVをダウンロード", kind="link").click()
    raw = open(download.value.path(), "rb").read()
    text = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("cp932", errors="replace")
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) != 3:
        raise owner.fail(f"the CSV holds {len(rows) - 1} answers, not 2:\n{text[:500]}")
    assert "朝の受付を早めてほしいです。" in text, "the keitai's Shift_JIS answer is in the CSV as written"
