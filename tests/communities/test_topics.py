"""Topics and their comments: writing, closing, pinning, deleting, sending a form twice, searching, and who
hears about a new comment."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from ejan.communities import directory, membership, topics
from ejan.communities.models import MEMBERS_ONLY, Topic, TopicComment, TopicFollow
from ejan.errors import Invalid
from ejan.extensions import db
from ejan.notify.models import Notification
from helpers_communities import count, fresh, open_community, path_of


@pytest.fixture
def club(make_member):
    """佐藤 owns an open community with members 鈴木, 高橋 and 田中; 佐藤 started a topic."""
    people = {name: make_member(name) for name in ("佐藤", "鈴木", "高橋", "田中")}
    community = open_community(people["佐藤"], "掛川城の歴史を語る会", category="地域")
    for name in ("鈴木", "高橋", "田中"):
        membership.join(people[name], community.id)
    topic = topics.create_topic(people["佐藤"], community.id, title="天守閣の木造復元", body="平成六年の話をしましょう")
    return people, community, topic


def topic_notices(member) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.member_id == member.id,
                                                              Notification.kind == "topic_comment")))


def topic_row(topic_id: int) -> Topic:
    db.session.expire_all()
    return db.session.get(Topic, topic_id)


# --- writing ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("title, body, field", [("", "本文", "title"), ("あ" * 101, "本文", "title"),
                                                ("題", "  ", "body"), ("題", "あ" * 10_001, "body")])
def test_a_topic_needs_a_title_and_a_body(club, title, body, field):
    people, community, _ = club
    with pytest.raises(Invalid) as refused:
        topics.create_topic(people["鈴木"], community.id, title=title, body=body)
    assert refused.value.code == field
    assert count(Topic) == 1


def test_comments_count_and_move_the_topic_and_the_community_up(club):
    people, community, topic = club
    before = fresh(community.id).last_activity_at
    topics.add_comment(people["鈴木"], topic.id, "石垣もいいですよ")
    second = topics.add_comment(people["高橋"], topic.id, "太鼓櫓も")
    assert topic_row(topic.id).comment_count == 2
    assert topic_row(topic.id).last_comment_at == second.created_at
    assert fresh(community.id).last_activity_at >= before
    topics.delete_comment(people["高橋"], second.id)  # one's own comment
    assert topic_row(topic.id).comment_count == 1
    with pytest.raises(Invalid):
        topics.add_comment(people["鈴木"], topic.id, "   ")
    with pytest.raises(Invalid):
        topics.add_comment(people["鈴木"], topic.id, "あ" * 3_001)
    assert topic_row(topic.id).comment_count == 1


def test_a_closed_topic_refuses_comments_until_reopened(club):
    people, community, topic = club
    topics.moderate_topic(people["佐藤"], topic.id, closed=True)
    for who in ("佐藤", "鈴木"):  # the owner too: closed is closed
        with pytest.raises(Invalid, match="締め切"):
            topics.add_comment(people[who], topic.id, "まだ話したい")
    assert count(TopicComment) == 0
    topics.moderate_topic(people["佐藤"], topic.id, closed=False)
    topics.add_comment(people["鈴木"], topic.id, "再開ありがとうございます")
    assert count(TopicComment) == 1


def test_pinned_topics_come_first(club):
    people, community, topic = club
    later = topics.create_topic(people["鈴木"], community.id, title="お城まつり", body="今年の日程")
    assert [t.id for t in topics.topics_of(people["田中"], community, 1, 20).items] == [later.id, topic.id]
    topics.moderate_topic(people["佐藤"], topic.id, pinned=True)
    assert [t.id for t in topics.topics_of(people["田中"], community, 1, 20).items] == [topic.id, later.id]


def test_the_author_edits_and_the_edit_is_marked(club):
    people, community, topic = club
    topics.edit_topic(people["佐藤"], topic.id, title="天守閣の木造復元（平成六年）", body="書き直しました")
    edited = topic_row(topic.id)
    assert (edited.title, edited.body) == ("天守閣の木造復元（平成六年）", "書き直しました")
    assert edited.updated_at is not None


def test_deleting_a_topic_takes_its_comments_and_follows(club):
    people, community, topic = club
    topics.add_comment(people["鈴木"], topic.id, "石垣")
    topics.delete_topic(people["佐藤"], topic.id)
    assert count(Topic) == 0 and count(TopicComment) == 0 and count(TopicFollow) == 0


# --- the same form twice ---------------------------------------------------------------------------------

def test_the_same_topic_form_sent_twice_makes_one_topic(club):
    people, community, _ = club
    first = topics.create_topic(people["鈴木"], community.id, title="竹の丸", body="見学会", submit_token="tok-1")
    again = topics.create_topic(people["鈴木"], community.id, title="竹の丸", body="見学会", submit_token="tok-1")
    assert again.id == first.id
    topics.create_topic(people["鈴木"], community.id, title="竹の丸", body="見学会", submit_token="tok-2")
    assert count(Topic, Topic.author_id == people["鈴木"].id) == 2


def test_the_same_comment_form_sent_twice_makes_one_comment_and_one_notice(club):
    people, community, topic = club
    first = topics.add_comment(people["鈴木"], topic.id, "参加します", submit_token="tok-1")
    again = topics.add_comment(people["鈴木"], topic.id, "参加します", submit_token="tok-1")
    assert again.id == first.id
    assert count(TopicComment) == 1
    assert topic_row(topic.id).comment_count == 1
    assert len(topic_notices(people["佐藤"])) == 1


# --- who hears about a new comment ---------------------------------------------------------------------

def test_followers_who_opted_in_hear_about_a_comment_but_not_the_commenter(club):
    people, community, topic = club
    sato, suzuki, takahashi, tanaka = (people[n] for n in ("佐藤", "鈴木", "高橋", "田中"))
    topics.add_comment(suzuki, topic.id, "わたしも知りたい")  # follows by default
    topics.add_comment(takahashi, topic.id, "一言だけ", follow=False)  # opted out
    assert [n.actor_id for n in topic_notices(sato)] == [suzuki.id, takahashi.id]  # the author follows their topic
    assert [n.actor_id for n in topic_notices(suzuki)] == [takahashi.id]
    assert topic_notices(takahashi) == [], "opted out, and never told about their own comment"
    assert topic_notices(tanaka) == [], "never took part"

    topics.add_comment(tanaka, topic.id, "田中です")
    notice = topic_notices(suzuki)[-1]
    assert (notice.actor_id, notice.subject, notice.link) == (tanaka.id, topic.title, f"/topics/{topic.id}")
    assert len(topic_notices(tanaka)) == 0
    assert len(topic_notices(takahashi)) == 0


def test_a_follower_who_can_no_longer_read_a_members_only_topic_hears_nothing(make_member):
    owner, leaver, removed, stayer = (make_member(n) for n in ("佐藤", "鈴木", "高橋", "田中"))
    community = open_community(owner, "自治会役員の部屋", topic_visibility=MEMBERS_ONLY)
    for person in (leaver, removed, stayer):
        membership.join(person, community.id)
    topic = topics.create_topic(owner, community.id, title="会計報告", body="内訳")
    for person in (leaver, removed, stayer):
        topics.add_comment(person, topic.id, "確認しました")
    membership.leave(leaver, community.id)
    membership.ban(owner, community.id, removed.id)
    db.session.query(Notification).delete()
    db.session.commit()

    topics.add_comment(owner, topic.id, "来月もよろしく")
    assert len(topic_notices(stayer)) == 1
    assert topic_notices(leaver) == [] and topic_notices(removed) == []


def test_a_follower_who_left_a_site_visible_community_still_hears_what_they_may_still_read(club):
    people, community, topic = club
    topics.add_comment(people["鈴木"], topic.id, "覚えておきます")
    membership.leave(people["鈴木"], community.id)
    topics.add_comment(people["高橋"], topic.id, "続報です")
    assert [n.actor_id for n in topic_notices(people["鈴木"])] == [people["高橋"].id]


def test_a_suspended_follower_hears_nothing(club):
    people, community, topic = club
    topics.add_comment(people["鈴木"], topic.id, "フォローします")
    people["鈴木"].status = "suspended"
    db.session.commit()
    topics.add_comment(people["高橋"], topic.id, "続報です")
    assert topic_notices(people["鈴木"]) == []


# --- search ------------------------------------------------------------------------------------------------

def test_search_finds_titles_and_bodies_and_treats_wildcards_as_text(club):
    people, community, topic = club
    percent = topics.create_topic(people["鈴木"], community.id, title="参加率100%の秘訣", body="ふつうの本文")
    topics.create_topic(people["鈴木"], community.id, title="参加率1000の謎", body="ふつう")
    underscore = topics.create_topic(people["鈴木"], community.id, title="a_b", body="x")
    topics.create_topic(people["鈴木"], community.id, title="axb", body="x")
    viewer = people["田中"]

    def found(q):
        return {t.id for t in topics.search_topics(viewer, q, 1, 20).items}

    assert found("平成六年") == {topic.id}  # in the body
    assert found("100%") == {percent.id}
    assert found("a_b") == {underscore.id}
    assert found("   ") == set()
    with pytest.raises(Invalid):
        topics.search_topics(viewer, "あ" * 101, 1, 20)


# --- over HTTP ----------------------------------------------------------------------------------------------

def token_in(html: str) -> str:
    return re.search(r'name="submit_token"[^>]*value="([^"]+)"', html).group(1)


def test_a_topic_form_sent_twice_over_http_makes_one_topic(club, browser):
    people, community, _ = club
    client = browser(people["鈴木"])
    token = token_in(client.get(f"/communities/{community.id}/topics/new").get_data(as_text=True))
    fields = {"title": "二の丸茶室", "body": "茶会の案内", "submit_token": token}
    first = client.post(f"/communities/{community.id}/topics/new", data=fields)
    second = client.post(f"/communities/{community.id}/topics/new", data=fields)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(Topic, Topic.title == "二の丸茶室") == 1


def test_a_comment_form_sent_twice_over_http_makes_one_comment(club, browser):
    people, community, topic = club
    client = browser(people["鈴木"])
    token = token_in(client.get(f"/topics/{topic.id}").get_data(as_text=True))
    fields = {"body": "行きます", "follow": "y", "submit_token": token}
    assert client.post(f"/topics/{topic.id}/comments", data=fields).status_code == 302
    assert client.post(f"/topics/{topic.id}/comments", data=fields).status_code == 302
    assert count(TopicComment) == 1
    assert topic_row(topic.id).comment_count == 1


def test_each_load_of_the_topic_page_gets_a_new_form_token(club, browser):
    people, community, topic = club
    client = browser(people["鈴木"])
    first = token_in(client.get(f"/topics/{topic.id}").get_data(as_text=True))
    assert token_in(client.get(f"/topics/{topic.id}").get_data(as_text=True)) != first


def test_a_closed_topic_over_http(club, browser):
    people, community, topic = club
    owner = browser(people["佐藤"])
    assert owner.post(f"/topics/{topic.id}/close").status_code == 302
    page = browser(people["鈴木"]).get(f"/topics/{topic.id}").get_data(as_text=True)
    assert "締め切られている" in page and f'action="/topics/{topic.id}/comments"' not in page
    refused = browser(people["鈴木"]).post(f"/topics/{topic.id}/comments", data={"body": "まだ話したい", "follow": "y"})
    assert refused.status_code == 400
    assert "締め切られている" in refused.get_data(as_text=True)
    assert count(TopicComment) == 0


def test_a_comment_with_a_mistake_is_sent_back_with_the_text_kept(club, browser):
    people, community, topic = club
    long_text = "長い話" * 1_001
    response = browser(people["鈴木"]).post(f"/topics/{topic.id}/comments", data={"body": long_text})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "3,000文字以内" in html and long_text in html
    assert count(TopicComment) == 0


def test_after_commenting_one_lands_on_the_page_that_shows_the_comment(club, browser):
    people, community, topic = club
    client = browser(people["鈴木"])
    for n in range(1, 22):  # the PC pages hold 20 comments: 20th on page 1, 21st on page 2
        response = client.post(f"/topics/{topic.id}/comments", data={"body": f"{n}番目のコメントです", "follow": "y"})
        assert response.status_code == 302
        landed = client.get(response.headers["Location"]).get_data(as_text=True)
        assert f"{n}番目のコメントです" in landed, f"comment {n} is not on {response.headers['Location']}"


def test_deleting_a_comment_over_http(club, browser):
    people, community, topic = club
    comment = topics.add_comment(people["鈴木"], topic.id, "間違えました")
    assert browser(people["高橋"]).get(f"/topics/comments/{comment.id}/delete").status_code == 403
    assert browser(people["高橋"]).post(f"/topics/comments/{comment.id}/delete").status_code == 403
    response = browser(people["鈴木"]).post(f"/topics/comments/{comment.id}/delete")
    assert response.status_code == 302 and path_of(response.headers["Location"]) == f"/topics/{topic.id}"
    assert count(TopicComment) == 0


def test_a_tampered_overlong_form_token_still_posts_once(app, make_member):
    owner = make_member("佐藤")
    community = directory.create_community(owner, name="長いトークン", category="趣味", description="テスト")
    token = "x" * 300
    first = topics.create_topic(owner, community.id, title="お知らせ", body="本文", submit_token=token)
    again = topics.create_topic(owner, community.id, title="お知らせ", body="本文", submit_token=token)
    assert first.id == again.id
    topics.add_comment(owner, first.id, "コメント", submit_token=token)
    topics.add_comment(owner, first.id, "コメント", submit_token=token)
    assert db.session.scalar(select(func.count(TopicComment.id))) == 1
