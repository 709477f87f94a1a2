"""Results: counted per option in SQL, a fixed number of statements, the SVG chart, the CSV round trip."""
from __future__ import annotations

import csv
import io
import re

from ejan.extensions import db
from ejan.leaving import services as leaving
from ejan.surveys import answering, results
from ejan.charts import svg_bar_chart, text_bar
from ejan.surveys.models import MULTIPLE, TEXT
from support import PASSWORD, PC_UA, count_queries, html_of, keitai_login

from helpers_surveys import answers, build

TRICKY = [
    'カンマ, と "引用符" と\n改行、\r\n二つ目の改行',
    "=HYPERLINK(\"http://example.com\"),;\t タブも",
    "〒436-8650 掛川市長谷一丁目1番地の1\n\n\n空行のあと",
    "🍵 絵文字と 𠮷野家 と ﾊﾝｶｸ",
]


def test_multiple_choice_is_counted_per_option_not_per_combination(make_member):
    admin = make_member("市役所", role="admin")
    survey = build(admin)
    for picks in ([1, 2], [2, 3], [2]):
        answering.submit(make_member(), survey.id, answers(survey, 1, picks, 4))
    found = results.results_of(survey)
    lines = found.questions[1]
    assert lines.answered == 3
    assert [(b.label, b.count, b.percent) for b in lines.bars] == [
        ("掛川駅線", 1, 33.3), ("大東線", 3, 100.0), ("大須賀線", 1, 33.3), ("森線", 0, 0.0)]
    scale = found.questions[2]
    assert [b.count for b in scale.bars] == [0, 0, 0, 3, 0] and scale.mean == 4.0
    assert found.responses == 3


def test_the_pc_chart_has_one_bar_per_option(make_member, browser):
    admin = make_member("市役所", role="admin")
    survey = build(admin)
    answering.submit(make_member(), survey.id, answers(survey, 2, [1, 4], 5))
    client = browser(admin)
    page = client.get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    charts = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert [len(re.findall(r'<rect class="bar"', c)) for c in charts] == [3, 4, 5, 3], "text questions have none"
    svg = client.get(f"/surveys/{survey.id}/questions/{survey.questions[1].id}/chart.svg")
    assert svg.mimetype == "image/svg+xml"
    assert svg.get_data(as_text=True).count('<rect class="bar"') == 4
    assert "style=" not in page and "<script" not in "".join(charts)


def test_keitai_results_are_text_bars():
    assert text_bar(100) == "■" * 10
    assert text_bar(33.3) == "■■■" + "□" * 7
    assert text_bar(0) == "□" * 10


def test_labels_are_escaped_in_the_svg():
    from ejan.surveys.results import Bar

    svg = str(svg_bar_chart([Bar("<script>&", 1, 100.0)], "<b>"))
    assert "<script>" not in svg and "&lt;script&gt;&amp;" in svg


def test_the_csv_gives_back_every_free_text_answer_intact(make_member, browser):
    admin = make_member("市役所", role="admin")
    survey = build(admin)
    respondents = [make_member(f"回答者{i}") for i in range(len(TRICKY))]
    for person, text in zip(respondents, TRICKY):
        answering.submit(person, survey.id, answers(survey, 1, [1, 3], 2, text))
    response = browser(admin).get(f"/surveys/{survey.id}/results.csv")
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, so spreadsheets read it as UTF-8"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["番号", "回答者", "回答日時"] and header[3:] == [q.prompt for q in survey.questions]
    column = header.index("ご意見")
    assert [row[column] for row in body] == TRICKY
    assert [row[1] for row in body] == [p.nickname for p in respondents]
    assert {row[header.index("よく使う路線")] for row in body} == {"掛川駅線 / 大須賀線"}


def test_the_results_page_runs_the_same_statements_for_3_or_60_responses(app, make_member, browser, keitai):
    admin = make_member("市役所", role="admin")
    survey = build(admin)
    pc = browser(admin)
    phone = keitai("au")
    keitai_login(phone, admin)
    counts = []
    for total in (3, 60):
        while db.session.scalar(db.select(db.func.count()).select_from(answering.Response)) < total:
            n = db.session.scalar(db.select(db.func.count()).select_from(answering.Response))
            answering.submit(make_member(), survey.id, answers(survey, 1 + n % 3, [1 + n % 4, 1 + (n + 1) % 4],
                                                               1 + n % 5, f"意見{n}"))
        measured = []
        for client, path in ((pc, f"/surveys/{survey.id}/results"), (phone, f"/surveys/{survey.id}/results?q=2"),
                             (pc, f"/surveys/{survey.id}/questions/{survey.questions[1].id}/chart.svg")):
            with count_queries(db.engine) as counter:
                assert client.get(path).status_code == 200
            measured.append(counter.count)
        counts.append(measured)
    assert counts[0] == counts[1], counts
    assert max(counts[0]) <= 14, counts


def test_the_results_aggregate_in_the_database(make_member):
    """No statement of the results reads answers row by row: every one that touches them groups them,
    or is the window that picks the first few free-text answers."""
    admin = make_member("市役所", role="admin")
    survey = build(admin)
    for n in range(5):
        answering.submit(make_member(), survey.id, answers(survey, 1, [1], 3, f"意見{n}"))
    db.session.expire_all()
    survey = db.session.get(type(survey), survey.id)
    with count_queries(db.engine) as counter:
        results.results_of(survey)
    touching = [s for s in counter.statements if "survey_answers" in s]
    assert touching and all("GROUP BY" in s or "row_number()" in s for s in touching), touching


def test_the_counts_are_kept_a_few_seconds_and_a_new_answer_shows_at_once(make_member):
    """A city reading its results page does not count every answer on every view; whoever answers
    next still sees themselves counted, and so does a member's leaving take their answers out at once."""
    admin = make_member("市役所", role="admin")
    survey = build(admin)
    first = make_member()
    answering.submit(first, survey.id, answers(survey, 1, [1], 3, "最初の意見"))
    assert results.results_of(survey).responses == 1
    with count_queries(db.engine) as counter:
        again = results.results_of(survey)
    assert again.responses == 1 and again.questions[0].bars[0].count == 1
    assert not [s for s in counter.statements if "survey_answers" in s or "survey_responses" in s], \
        counter.statements
    answering.submit(make_member(), survey.id, answers(survey, 2, [2], 4, "二人目の意見"))
    now = results.results_of(survey)
    assert now.responses == 2 and [b.count for b in now.questions[0].bars][:2] == [1, 1]
    assert "二人目の意見" in now.questions[3].texts
    leaving.leave(db.session.get(type(first), first.id), PASSWORD)
    assert results.results_of(survey).responses == 1
