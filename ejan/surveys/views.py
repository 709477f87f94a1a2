"""Surveys over HTTP: lists, the builder, answering (one page on PCs, a question a page on keitai), results."""
import secrets
from datetime import timedelta

from flask import Blueprint, Response, flash, redirect, request, session, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..clock import from_jst_fields, jst_fields, utcnow
from ..communities import access as communities
from ..errors import Invalid, NotFound
from ..forms import ConfirmForm
from ..mobile import is_lite, per_page, render
from ..urls import page_number
from . import access, answering, builder, listing, results as tally
from ..charts import svg_bar_chart, text_bar
from .forms import QuestionForm, SurveyForm
from .models import DISTRICTS, EVERYONE

bp = Blueprint("surveys", __name__)


# --- lists ----------------------------------------------------------------------------------------------

@bp.get("/surveys")
@login_required
def index():
    page = listing.open_for(current_user, page_number(), per_page())
    return render("surveys/index.html", page=page, answered=listing.answered_ids(current_user, page.items),
                  built=listing.built_by(current_user), city_builder=access.can_build_for_city(current_user))


@bp.get("/communities/<int:community_id>/surveys")
@login_required
def community(community_id: int):
    found = communities.get_community(current_user, community_id)
    page, runner = listing.of_community(current_user, found, page_number(), per_page())
    return render("surveys/community.html", community=found, role=communities.role_of(current_user, found),
                  page=page, runner=runner, answered=listing.answered_ids(current_user, page.items))


# --- building -----------------------------------------------------------------------------------------------

def _times(form: SurveyForm):
    return (from_jst_fields(form.opens_date.data, form.opens_time.data),
            from_jst_fields(form.closes_date.data, form.closes_time.data))


def _check(form: SurveyForm, audience: str):
    return lambda: builder.check_survey(form.title.data, form.description.data, *_times(form), audience,
                                        form.districts.data or ())


@bp.route("/surveys/new", methods=["GET", "POST"], endpoint="new")
@bp.route("/communities/<int:community_id>/surveys/new", methods=["GET", "POST"], endpoint="new_for_community")
@login_required
def new(community_id: int | None = None):
    found = communities.get_community(current_user, community_id) if community_id else None
    form = SurveyForm()
    if request.method == "GET":
        start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        form.opens_date.data, form.opens_time.data = jst_fields(start)
        form.closes_date.data, form.closes_time.data = jst_fields(start + timedelta(days=14))
        form.submit_token.data = secrets.token_urlsafe(16)
    audience = "community" if found else (form.audience.data or EVERYONE)
    if form.validate_on_submit(_check(form, audience)):
        try:
            survey = builder.create_survey(
                current_user, title=form.title.data, description=form.description.data or "",
                opens_at=_times(form)[0], closes_at=_times(form)[1], community_id=found.id if found else None,
                audience=audience, districts=form.districts.data or (), anonymous=form.anonymous.data,
                editable=form.editable.data, results_public=form.results_public.data,
                submit_token=form.submit_token.data or None)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("アンケートの下書きを作りました。質問を追加してください。"))
            return redirect(url_for("surveys.show", survey_id=survey.id))
    return render("surveys/form.html", form=form, survey=None, community=found)


@bp.route("/surveys/<int:survey_id>/edit", methods=["GET", "POST"])
@login_required
def edit(survey_id: int):
    survey = access.managed_survey(current_user, survey_id)
    form = SurveyForm(obj=survey)
    if request.method == "GET":
        form.opens_date.data, form.opens_time.data = jst_fields(survey.opens_at)
        form.closes_date.data, form.closes_time.data = jst_fields(survey.closes_at)
        form.districts.data = survey.district_names
    audience = survey.audience if survey.audience == "community" else (form.audience.data or survey.audience)
    if form.validate_on_submit(_check(form, audience)):
        try:
            builder.update_survey(current_user, survey.id, title=form.title.data, description=form.description.data or "",
                                  opens_at=_times(form)[0], closes_at=_times(form)[1], audience=audience,
                                  districts=form.districts.data or (), anonymous=form.anonymous.data,
                                  editable=form.editable.data, results_public=form.results_public.data)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("アンケートを更新しました。"))
            return redirect(url_for("surveys.show", survey_id=survey.id))
    return render("surveys/form.html", form=form, survey=survey, community=None)


def _question_values(form: QuestionForm) -> dict:
    return dict(kind=form.kind.data, prompt=form.prompt.data, help_text=form.help.data or "",
                required=form.required.data, options=form.options.data or "",
                max_choices=form.max_choices.data, max_length=form.max_length.data)


def _check_question(form: QuestionForm):
    return lambda: builder.check_question(form.kind.data, form.prompt.data, form.help.data or "",
                                          form.options.data or "", form.max_choices.data, form.max_length.data)


@bp.route("/surveys/<int:survey_id>/questions/new", methods=["GET", "POST"])
@login_required
def new_question(survey_id: int):
    survey = access.managed_survey(current_user, survey_id)
    form = QuestionForm()
    if form.validate_on_submit(_check_question(form)):
        try:
            builder.add_question(current_user, survey.id, **_question_values(form))
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("質問を追加しました。"))
            return redirect(url_for("surveys.show", survey_id=survey.id))
    return render("surveys/question_form.html", form=form, survey=survey, question=None)


@bp.route("/surveys/<int:survey_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
def edit_question(survey_id: int, question_id: int):
    question = builder.question_for_edit(current_user, survey_id, question_id)
    form = QuestionForm(obj=question)
    if request.method == "GET":
        form.options.data = "\n".join(option.label for option in question.options)
    if form.validate_on_submit(_check_question(form)):
        try:
            builder.update_question(current_user, survey_id, question.id, **_question_values(form))
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("質問を更新しました。"))
            return redirect(url_for("surveys.show", survey_id=survey_id))
    return render("surveys/question_form.html", form=form, survey=question.survey, question=question)


def _act(survey_id: int, action, done: str):
    """A button on the survey's page (publish, close, remind, delete or move a question)."""
    if ConfirmForm().validate_on_submit():
        try:
            action()
        except Invalid as error:
            flash(error.message)
        else:
            flash(done)
    return redirect(url_for("surveys.show", survey_id=survey_id))


@bp.post("/surveys/<int:survey_id>/questions/<int:question_id>/delete")
@login_required
def delete_question(survey_id: int, question_id: int):
    return _act(survey_id, lambda: builder.delete_question(current_user, survey_id, question_id), _("質問を削除しました。"))


@bp.post("/surveys/<int:survey_id>/questions/<int:question_id>/move")
@login_required
def move_question(survey_id: int, question_id: int):
    step = -1 if request.form.get("direction") == "up" else 1
    return _act(survey_id, lambda: builder.move_question(current_user, survey_id, question_id, step), _("並べ替えました。"))


@bp.post("/surveys/<int:survey_id>/publish")
@login_required
def publish(survey_id: int):
    return _act(survey_id, lambda: builder.publish(current_user, survey_id), _("アンケートを公開しました。"))


@bp.post("/surveys/<int:survey_id>/close")
@login_required
def close(survey_id: int):
    return _act(survey_id, lambda: builder.close_early(current_user, survey_id), _("アンケートを締め切りました。"))


@bp.post("/surveys/<int:survey_id>/remind")
@login_required
def remind(survey_id: int):
    return _act(survey_id, lambda: builder.remind(current_user, survey_id), _("まだ回答していない人にお知らせしました。"))


# --- one survey ----------------------------------------------------------------------------------------------

@bp.get("/surveys/<int:survey_id>")
@login_required
def show(survey_id: int):
    survey = access.get_survey(current_user, survey_id)
    builder.announce_if_due(survey)
    manager = access.can_manage(current_user, survey)
    answered = access.has_answered(current_user.id, survey.id)
    return render("surveys/show.html", survey=survey, state=survey.state(), manager=manager, answered=answered,
                  in_audience=access.in_audience(current_user, survey),
                  may_change=answered and answering.may_change(current_user, survey),
                  results_visible=access.can_see_results(current_user, survey),
                  has_responses=manager and builder.has_responses(survey.id),
                  participants=tally.participant_count(survey) if manager else None, form=ConfirmForm())


def _refused(survey_id: int, message: str):
    survey = access.get_survey(current_user, survey_id)
    return render("surveys/refused.html", status=409 if request.method == "POST" else 200, survey=survey,
                  message=message)


@bp.route("/surveys/<int:survey_id>/answer", methods=["GET", "POST"])
@login_required
def answer(survey_id: int):
    try:
        survey = answering.answerable(current_user, survey_id)
    except Invalid as error:  # closed, or not yet open: a clear page, not an error
        return _refused(survey_id, error.message)
    editing = access.has_answered(current_user.id, survey.id)
    if editing and not answering.may_change(current_user, survey):
        return _refused(survey_id, _("このアンケートにはもう回答しています。ご協力ありがとうございました。"))
    if not survey.questions:
        return _refused(survey_id, _("このアンケートにはまだ質問がありません。"))
    if is_lite():
        return _answer_step(survey, editing)
    if request.method == "GET":
        own = answering.own_response(current_user, survey) if editing else None
        return render("surveys/answer.html", survey=survey, raw=answering.raw_answers_of(own), problems={},
                      editing=editing)
    raw = {q.id: request.form.getlist(answering.field(q)) for q in survey.questions}
    try:
        answering.submit(current_user, survey.id, raw)
    except Invalid as error:
        if error.code == "answered" or error.code == "closed":
            return _refused(survey.id, error.message)
        problems = {p.code: p.message for p in error.problems}
        return render("surveys/answer.html", survey=survey, raw=raw, problems=problems, editing=editing)
    flash(_("回答を送りました。ご協力ありがとうございました。"))
    return redirect(url_for("surveys.show", survey_id=survey.id))


def _answer_step(survey, editing: bool):
    """Keitai: one question a page; what was answered so far waits in the session between pages."""
    questions, key = survey.questions, answering.progress_key(survey.id)
    total = len(questions)
    step = min(max(page_number("step"), 1), total)
    progress = session.get(key)
    if progress is None:
        own = answering.own_response(current_user, survey) if editing else None
        progress = {str(qid): values for qid, values in answering.raw_answers_of(own).items()}
    question = questions[step - 1]
    if request.method == "GET":
        session[key] = progress
        return render("surveys/answer.html", survey=survey, question=question, step=step, total=total,
                      values=progress.get(str(question.id), []), problem=None, editing=editing)
    values = [v for v in request.form.getlist(answering.field(question)) if isinstance(v, str)]
    progress[str(question.id)] = values
    session[key] = progress
    if "back" in request.form:
        return redirect(url_for("surveys.answer", survey_id=survey.id, step=max(step - 1, 1)))
    try:
        answering.check_question(question, values)
    except Invalid as error:
        return render("surveys/answer.html", survey=survey, question=question, step=step, total=total,
                      values=values, problem=error.message, editing=editing)
    if step < total:
        return redirect(url_for("surveys.answer", survey_id=survey.id, step=step + 1))
    raw = {q.id: progress.get(str(q.id), []) for q in questions}
    try:
        answering.submit(current_user, survey.id, raw)
    except Invalid as error:
        if error.code in ("answered", "closed"):
            session.pop(key, None)
            return _refused(survey.id, error.message)
        first = next((i for i, q in enumerate(questions, 1) if answering.field(q) == error.problems[0].code), step)
        question = questions[first - 1]
        return render("surveys/answer.html", survey=survey, question=question, step=first, total=total,
                      values=progress.get(str(question.id), []), problem=error.problems[0].message, editing=editing)
    session.pop(key, None)
    flash(_("回答を送りました。ご協力ありがとうございました。"))
    return redirect(url_for("surveys.show", survey_id=survey.id))


# --- results ---------------------------------------------------------------------------------------------------

@bp.get("/surveys/<int:survey_id>/results")
@login_required
def results(survey_id: int):
    survey = access.survey_with_results(current_user, survey_id)
    found = tally.results_of(survey)
    if is_lite():
        count = max(len(found.questions), 1)
        number = min(max(page_number("q"), 1), count)
        return render("surveys/results.html", results=found, number=number, count=count,
                      current=found.questions[number - 1] if found.questions else None, text_bar=text_bar)
    charts = {r.question.id: svg_bar_chart(r.bars, r.question.prompt) for r in found.questions if r.bars}
    return render("surveys/results.html", results=found, charts=charts,
                  manager=access.can_manage(current_user, survey))


@bp.get("/surveys/<int:survey_id>/questions/<int:question_id>/chart.svg")
@login_required
def chart(survey_id: int, question_id: int):
    survey = access.survey_with_results(current_user, survey_id)
    found = next((r for r in tally.results_of(survey).questions if r.question.id == question_id and r.bars), None)
    if found is None:
        raise NotFound(_("グラフが見つかりません。"))
    return Response(str(svg_bar_chart(found.bars, found.question.prompt)), mimetype="image/svg+xml")


@bp.get("/surveys/<int:survey_id>/questions/<int:question_id>/answers")
@login_required
def texts(survey_id: int, question_id: int):
    survey = access.survey_with_results(current_user, survey_id)
    question = tally.text_question(survey, question_id)
    if question is None:
        raise NotFound(_("質問が見つかりません。"))
    return render("surveys/texts.html", survey=survey, question=question,
                  page=tally.texts_of(survey, question, page_number(), per_page("comments")))


@bp.get("/surveys/<int:survey_id>/results.csv")
@login_required
def export(survey_id: int):
    survey = access.managed_survey(current_user, survey_id)
    return Response(stream_with_context(tally.csv_lines(survey)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="survey-{survey.id}.csv"'})
