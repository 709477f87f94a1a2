"""Answering: required questions, closed surveys, one response per member (even at the same moment), edits."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ejan.errors import Invalid
from ejan.extensions import db
from ejan.surveys import access, answering, builder
from ejan.surveys.models import Answer, Participation, Response
from support import at_the_same_moment

from helpers_surveys import answers, build


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_required_question_left_blank_is_refused_and_the_answers_are_kept(make_member, browser):
    admin, resident = make_member("市役所", role="admin"), make_member("佐藤")
    survey = build(admin)
    raw = answers(survey, None, [1, 2], None, "駅まで遠い、バスが少ない")
    client = browser(resident)
    form = {f"q{qid}": values for qid, values in raw.items()}
    response = client.post(f"/surveys/{survey.id}/answer", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("この質問は回答が必要です。") == 2, "both required questions say so"
    assert "駅まで遠い、バスが少ない" in page, "the typed text is kept"
    assert page.count("checked") == 2, "the ticked options stay ticked"
    assert count(Response) == 0


def test_a_closed_survey_refuses_answers_with_a_clear_message(make_member, browser):
    admin, resident = make_member("市役所", role="admin"), make_member("佐藤")
    survey = build(admin)
    builder.close_early(admin, survey.id)
    with pytest.raises(Invalid, match="締め切られました"):
        answering.submit(resident, survey.id, answers(survey, 1, None, 3))
    response = browser(resident).post(f"/surveys/{survey.id}/answer", data={})
    assert response.status_code == 409
    assert "このアンケートは締め切られました。" in response.get_data(as_text=True)
    assert count(Response) == 0


def test_a_survey_past_its_closing_time_is_closed_without_anyone_pressing(make_member):
    admin, resident = make_member("市役所", role="admin"), make_member("佐藤")
    survey = build(admin)
    survey.closes_at = survey.opens_at + timedelta(minutes=1)  # the clock passed it
    db.session.commit()
    assert survey.state() == "closed"
    with pytest.raises(Invalid, match="締め切られました"):
        answering.submit(resident, survey.id, answers(survey, 1, None, 3))


def test_a_scheduled_survey_is_not_answerable_yet(make_member):
    admin, resident = make_member("市役所", role="admin"), make_member("佐藤")
    survey = build(admin, opens_in=timedelta(days=1))
    assert survey.state() == "scheduled"
    with pytest.raises(Invalid, match="まだ始まっていません"):
        answering.submit(resident, survey.id, answers(survey, 1, None, 3))


def test_a_second_answer_is_refused(make_member):
    admin, resident = make_member("市役所", role="admin"), make_member("佐藤")
    survey = build(admin)
    answering.submit(resident, survey.id, answers(survey, 1, None, 3))
    with pytest.raises(Invalid, match="もう回答しています"):
        answering.submit(resident, survey.id, answers(survey, 2, None, 4))
    assert count(Response) == 1


@pytest.mark.parametrize("anonymous", [False, True])
def test_two_submits_at_the_same_moment_make_one_response(app, make_member, monkeypatch, anonymous):
    admin, resident = make_member("市役所", role="admin"), make_member("佐藤")
    survey = build(admin, anonymous=anonymous)
    survey_id, resident_id, raw = survey.id, resident.id, answers(survey, 1, [1, 2], 5, "早く来てほしい")

    def submit():
        from ejan.members.models import Member

        answering.submit(db.session.get(Member, resident_id), survey_id, raw)
        return "stored"

    results, refused = at_the_same_moment(app, monkeypatch, access, "has_answered", submit,
                                          when=lambda answered: answered is False, catch=(Invalid,))
    assert results == ["stored"]
    assert len(refused) == 1 and "もう回答しています" in refused[0].message
    assert count(Participation, Participation.survey_id == survey_id) == 1
    assert count(Response, Response.survey_id == survey_id) == 1
    assert count(Answer, Answer.survey_id == survey_id) == 5


def test_an_answer_can_be_changed_until_closing_when_the_creator_allows(make_member, browser):
    admin, resident = make_member("市役所", role="admin"), make_member("佐藤")
    survey = build(admin, editable=True)
    answering.submit(resident, survey.id, answers(survey, 1, [1, 2], 3, "最初の意見"))
    page = browser(resident).get(f"/surveys/{survey.id}/answer").get_data(as_text=True)
    assert "最初の意見" in page, "the form opens with the earlier answers"
    answering.submit(resident, survey.id, answers(survey, 2, [3], 4, "考え直しました"))
    assert count(Response) == 1
    texts = db.session.scalars(select(Answer.text).where(Answer.text.is_not(None))).all()
    assert texts == ["考え直しました"]
    assert count(Answer) == 4
    builder.close_early(admin, survey.id)
    with pytest.raises(Invalid, match="締め切られました"):
        answering.submit(resident, survey.id, answers(survey, 1, None, 3))


def test_anonymous_answers_cannot_be_changed_even_when_edits_were_asked_for(make_member):
    admin, resident = make_member("市役所", role="admin"), make_member("佐藤")
    survey = build(admin, anonymous=True, editable=True)
    assert survey.editable is False
    answering.submit(resident, survey.id, answers(survey, 1, None, 3))
    with pytest.raises(Invalid, match="もう回答しています"):
        answering.submit(resident, survey.id, answers(survey, 2, None, 4))


@pytest.mark.parametrize("raw_of, message", [
    (lambda s: {s.questions[0].id: [str(s.questions[0].options[0].id), str(s.questions[0].options[1].id)]},
     "1つだけ"),
    (lambda s: {s.questions[1].id: [str(o.id) for o in s.questions[1].options]}, "3個まで"),
    (lambda s: {s.questions[2].id: ["6"]}, "1から5"),
    (lambda s: {s.questions[0].id: ["999999"]}, "選択肢の中から"),
    (lambda s: {s.questions[3].id: ["あ" * 501]}, "500文字以内"),
])
def test_answers_outside_the_question_are_refused(make_member, raw_of, message):
    admin, resident = make_member("市役所", role="admin"), make_member("佐藤")
    survey = build(admin)
    raw = answers(survey, 1, None, 3)
    raw.update(raw_of(survey))
    with pytest.raises(Invalid) as refused:
        answering.submit(resident, survey.id, raw)
    assert any(message in p.message for p in refused.value.problems)


def test_questions_cannot_change_once_someone_has_answered(make_member):
    admin, resident = make_member("市役所", role="admin"), make_member("佐藤")
    survey = build(admin)
    question = survey.questions[0]
    builder.update_question(admin, survey.id, question.id, kind="single", prompt="バスに乗りますか",
                            options="はい\nいいえ")  # nobody has answered: fine
    answering.submit(resident, survey.id, answers(survey, 1, None, 3))
    for change in (lambda: builder.update_question(admin, survey.id, question.id, kind="single", prompt="変更",
                                                   options="A\nB"),
                   lambda: builder.add_question(admin, survey.id, kind="text", prompt="追加"),
                   lambda: builder.delete_question(admin, survey.id, question.id),
                   lambda: builder.move_question(admin, survey.id, question.id, 1)):
        with pytest.raises(Invalid, match="質問は変更できません"):
            change()
