"""A keitai respondent: a question a page with 次へ/戻る, Shift_JIS in and out, every page under 10 KB."""
from __future__ import annotations

import re

from sqlalchemy import select

from ejan.extensions import db
from ejan.surveys.models import Answer, Response
from support import form_action, html_of, keitai_login, links, sjis_post

from helpers_surveys import build

BUDGET = 10 * 1024
OPINION = "駅までバスで１５分、本数が少ないです。〜朝の便を増やしてほしい〜"


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert len(response.data) <= BUDGET, (url, len(response.data))
    return response


def test_a_keitai_respondent_completes_a_five_question_survey_in_shift_jis(make_member, keitai):
    admin, resident = make_member("市役所", role="admin"), make_member("佐藤")
    survey = build(admin, description="市内のバス路線について伺います。" * 20)
    phone = keitai("docomo_nocookie")
    home = keitai_login(phone, resident)
    token = re.search(r"ejs=([^&]+)", home).group(1)
    show = get(phone, f"/surveys/{survey.id}?ejs={token}")
    assert show.mimetype_params["charset"].lower() == "shift_jis"
    url = links(html_of(show), "/answer")[0]
    q = {i: survey.questions[i - 1] for i in range(1, 6)}
    choices = {
        1: {f"q{q[1].id}": str(q[1].options[2].id)},
        2: {f"q{q[2].id}": str(q[2].options[1].id)},
        3: {f"q{q[3].id}": "4"},
        4: {f"q{q[4].id}": OPINION},
        5: {f"q{q[5].id}": str(q[5].options[2].id)},
    }
    pages = []
    for step in range(1, 6):
        page = html_of(get(phone, url))
        pages.append(page)
        assert f"問{step}/5" in page and q[step].prompt in page
        response = sjis_post(phone, form_action(page, "/answer"), {**choices[step], "next": "x"})
        assert response.status_code == 302, html_of(response)
        url = response.headers["Location"]
        if step == 2:  # back to question 2 from 3: the choice is still there
            page3 = html_of(get(phone, url))
            back = sjis_post(phone, form_action(page3, "/answer"), {"back": "x"})
            again = html_of(get(phone, back.headers["Location"]))
            assert "問2/5" in again and f'value="{q[2].options[1].id}" checked' in again
    assert "送信" in pages[-1] and "戻る" in pages[-1] and "戻る" not in pages[0]
    done = html_of(get(phone, url))
    assert "回答を送りました" in done
    response = db.session.scalar(select(Response).where(Response.member_id == resident.id))
    stored = {a.question_id: (a.option_id, a.scale, a.text) for a in db.session.scalars(
        select(Answer).where(Answer.response_id == response.id))}
    # The phone's wave dash is Shift_JIS 0x8160, which cp932 reads as ～ (U+FF5E), as for every keitai form.
    assert stored[q[4].id][2] == OPINION.encode("cp932").decode("cp932"), "the Shift_JIS text arrives as typed"
    assert stored[q[3].id][1] == 4 and stored[q[1].id][0] == q[1].options[2].id


def test_a_required_question_stops_next_on_keitai_with_a_message(make_member, keitai):
    admin, resident = make_member("市役所", role="admin"), make_member("佐藤")
    survey = build(admin)
    phone = keitai("au")
    keitai_login(phone, resident)
    page = html_of(get(phone, f"/surveys/{survey.id}/answer"))
    response = sjis_post(phone, form_action(page, "/answer"), {"next": "x"})
    assert response.status_code == 200
    assert "この質問は回答が必要です。" in html_of(response) and "問1/5" in html_of(response)


def test_keitai_results_pages_show_text_bars_within_budget(make_member, keitai):
    from ejan.surveys import answering

    from helpers_surveys import answers

    admin = make_member("市役所", role="admin")
    survey = build(admin)
    for n in range(4):
        answering.submit(make_member(), survey.id, answers(survey, 1, [1, 2], 5, "長い意見です。" * 70))
    phone = keitai("docomo_nocookie")
    home = keitai_login(phone, admin)
    token = re.search(r"ejs=([^&]+)", home).group(1)
    for number in range(1, 6):
        page = html_of(get(phone, f"/surveys/{survey.id}/results?q={number}&ejs={token}"))
        if number == 2:
            assert "■■■■■■■■■■ 4(100.0%)" in page
    get(phone, f"/surveys/{survey.id}/questions/{survey.questions[3].id}/answers?ejs={token}")
    get(phone, f"/surveys/{survey.id}?ejs={token}")
