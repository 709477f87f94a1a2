"""Who may build, see, answer and read results: the matrix, on the services and over HTTP."""
from __future__ import annotations

import pytest

from ejan.errors import Forbidden, Invalid, NotFound
from ejan.surveys import access, answering, builder
from ejan.surveys.models import DISTRICTS

from helpers_surveys import FIVE, answers, build, community_with


@pytest.fixture
def people(make_member):
    owner, moderator, member, outsider = (make_member("管理人"), make_member("副管理人"), make_member("会員"),
                                          make_member("よその人"))
    admin = make_member("市役所", role="admin")
    suspended = make_member("停止中")
    community = community_with(owner, moderator=moderator, members=[member, suspended])
    suspended.status = "suspended"
    return dict(owner=owner, moderator=moderator, member=member, outsider=outsider, admin=admin,
                suspended=suspended, community=community)


@pytest.mark.parametrize("who, may", [("owner", True), ("moderator", True), ("member", False), ("outsider", False),
                                      ("admin", False), ("suspended", False)])
def test_only_the_community_runners_build_its_surveys(people, who, may):
    assert access.can_build_for_community(people[who], people["community"].id) is may
    if not may:
        with pytest.raises(Forbidden):
            build(people[who], community=people["community"])


@pytest.mark.parametrize("who, may", [("admin", True), ("owner", False), ("member", False)])
def test_only_administrators_ask_the_whole_city(people, who, may):
    assert access.can_build_for_city(people[who]) is may
    if may:
        assert build(people[who]).audience == "everyone"
    else:
        with pytest.raises(Forbidden):
            build(people[who])


@pytest.mark.parametrize("who, sees, answers_", [
    ("owner", True, True), ("moderator", True, True), ("member", True, True),
    ("outsider", False, False), ("admin", False, False), ("suspended", False, False)])
def test_a_community_survey_is_for_its_members_only(people, who, sees, answers_):
    survey = build(people["owner"], community=people["community"])
    person = people[who]
    assert access.can_see(person, survey) is sees
    assert access.in_audience(person, survey) is answers_
    if not answers_:
        with pytest.raises((Forbidden, NotFound)):
            answering.submit(person, survey.id, answers(survey, 1, None, 3))
    else:
        answering.submit(person, survey.id, answers(survey, 1, None, 3))


def test_a_draft_is_seen_by_its_managers_only(people):
    survey = build(people["owner"], community=people["community"], publish=False)
    assert access.can_see(people["moderator"], survey)
    with pytest.raises(NotFound):
        access.get_survey(people["member"], survey.id)


def test_other_districts_cannot_answer_a_district_survey(make_member):
    admin = make_member("市役所", role="admin")
    daito, osuka, elsewhere, nowhere = (make_member(district="大東"), make_member(district="大須賀"),
                                        make_member(district="倉真"), make_member())
    survey = build(admin, audience=DISTRICTS, districts=["大東", "大須賀"])
    assert [access.in_audience(m, survey) for m in (daito, osuka, elsewhere, nowhere)] == [True, True, False, False]
    with pytest.raises(NotFound):
        answering.submit(elsewhere, survey.id, answers(survey, 1, None, 3))
    answering.submit(daito, survey.id, answers(survey, 1, None, 3))


def test_the_list_of_open_surveys_agrees_with_the_rule(people, make_member):
    from ejan.surveys import listing

    admin = people["admin"]
    city = build(admin)
    district = build(admin, audience=DISTRICTS, districts=["大東"])
    community = build(people["owner"], community=people["community"])
    draft = build(people["owner"], community=people["community"], publish=False)
    surveys = [city, district, community, draft]
    for person in (people["member"], people["outsider"], make_member(district="大東")):
        listed = {s.id for s in listing.open_for(person, 1, 20).items}
        expected = {s.id for s in surveys if s.published_at and access.in_audience(person, s)}
        assert listed == expected


@pytest.mark.parametrize("who, may", [("owner", True), ("moderator", True), ("member", False), ("admin", False)])
def test_results_and_csv_are_for_managers_while_open(people, who, may, browser):
    survey = build(people["owner"], community=people["community"])
    assert access.can_see_results(people[who], survey) is may
    client = browser(people[who])
    assert (client.get(f"/surveys/{survey.id}/results").status_code == 200) is may
    assert (client.get(f"/surveys/{survey.id}/results.csv").status_code == 200) is may


def test_respondents_see_results_after_closing_when_the_creator_chose_so(people):
    owner, member, moderator = people["owner"], people["member"], people["moderator"]
    survey = build(owner, community=people["community"], results_public=True)
    answering.submit(member, survey.id, answers(survey, 1, None, 3))
    assert not access.can_see_results(member, survey), "not before closing"
    builder.close_early(owner, survey.id)
    assert access.can_see_results(member, survey)
    assert not access.can_see_results(people["outsider"], survey)
    hidden = build(owner, community=people["community"], results_public=False)
    answering.submit(member, hidden.id, answers(hidden, 1, None, 3))
    builder.close_early(moderator, hidden.id)
    assert not access.can_see_results(member, hidden)


def test_only_managers_change_publish_close_and_remind(people):
    survey = build(people["owner"], community=people["community"], publish=False)
    for action in (lambda who: builder.publish(who, survey.id), lambda who: builder.close_early(who, survey.id),
                   lambda who: builder.add_question(who, survey.id, **FIVE[0])):
        with pytest.raises((Forbidden, NotFound)):
            action(people["member"])
    builder.publish(people["moderator"], survey.id)
    with pytest.raises(Forbidden):
        builder.remind(people["member"], survey.id)
    with pytest.raises(Invalid):
        builder.publish(people["owner"], survey.id)  # once


def test_outsiders_get_no_hint_a_community_survey_exists_over_http(people, browser):
    survey = build(people["owner"], community=people["community"])
    client = browser(people["outsider"])
    for path in (f"/surveys/{survey.id}", f"/surveys/{survey.id}/answer", f"/surveys/{survey.id}/results"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "バス路線".encode() not in response.data
    assert client.post(f"/surveys/{survey.id}/answer", data={}).status_code == 404
