"""Who can reach which diary entry, by every way there is to reach one: a table of expected outcomes.

佐藤 (the author) has written three entries, one per visibility, each with a photo and a comment.
Viewers: the author, a friend of the author, another member, a member who was logged in and then
suspended (their session is dead), a stranger who is not logged in, and an administrator (an ordinary
reader here: private and friends-only entries of non-friends are not theirs to see).

The Atom feed needs no login, only the author's secret feed address, and carries only the entries
written for all members, whoever fetches it."""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlsplit

import pytest
from PIL import Image
from sqlalchemy import func, select

from ejan import media
from ejan.clock import to_jst
from ejan.diary import services
from ejan.diary.models import FRIENDS, MEMBERS, PRIVATE, DiaryComment, DiaryEntry, DiaryPhoto
from ejan.extensions import db
from ejan.members import services as members
from ejan.members.models import Member

PASSWORD = "tea-harvest-2026"
SEARCH_WORD = "粟ヶ岳"
TITLES = {MEMBERS: "みんなへ・新茶の便り", FRIENDS: "友だちへ・茶摘みの誘い", PRIVATE: "わたしだけ・家計のメモ"}
VISIBILITIES = (MEMBERS, FRIENDS, PRIVATE)

# shown   200, the entry (or its comment, or its photo) itself    login   redirect to /login
# listed  200, and the entry is in the list                         404     not found, nothing of it shows
# absent  200, but the entry is not in the list                     stored  the comment is saved
VIEWERS = ("author", "friend", "other", "suspended", "stranger", "admin")
EXPECTED = {
    #                                     author    friend    other     suspended stranger  admin
    ("entry page", MEMBERS):             ("shown",  "shown",  "shown",  "login",  "login",  "shown"),
    ("entry page", FRIENDS):             ("shown",  "shown",  "404",    "login",  "login",  "404"),
    ("entry page", PRIVATE):             ("shown",  "404",    "404",    "login",  "login",  "404"),
    ("friends feed", MEMBERS):           ("absent", "listed", "absent", "login",  "login",  "absent"),
    ("friends feed", FRIENDS):           ("absent", "listed", "absent", "login",  "login",  "absent"),
    ("friends feed", PRIVATE):           ("absent", "absent", "absent", "login",  "login",  "absent"),
    ("site feed", MEMBERS):              ("listed", "listed", "listed", "login",  "login",  "listed"),
    ("site feed", FRIENDS):              ("absent", "absent", "absent", "login",  "login",  "absent"),
    ("site feed", PRIVATE):              ("absent", "absent", "absent", "login",  "login",  "absent"),
    ("member's diary", MEMBERS):         ("listed", "listed", "listed", "login",  "login",  "listed"),
    ("member's diary", FRIENDS):         ("listed", "listed", "absent", "login",  "login",  "absent"),
    ("member's diary", PRIVATE):         ("listed", "absent", "absent", "login",  "login",  "absent"),
    ("monthly archive", MEMBERS):        ("listed", "listed", "listed", "login",  "login",  "listed"),
    ("monthly archive", FRIENDS):        ("listed", "listed", "absent", "login",  "login",  "absent"),
    ("monthly archive", PRIVATE):        ("listed", "absent", "absent", "login",  "login",  "absent"),
    ("search", MEMBERS):                 ("listed", "listed", "listed", "login",  "login",  "listed"),
    ("search", FRIENDS):                 ("listed", "listed", "absent", "login",  "login",  "absent"),
    ("search", PRIVATE):                 ("listed", "absent", "absent", "login",  "login",  "absent"),
    ("comment post", MEMBERS):           ("stored", "stored", "stored", "login",  "login",  "stored"),
    ("comment post", FRIENDS):           ("stored", "stored", "404",    "login",  "login",  "404"),
    ("comment post", PRIVATE):           ("stored", "404",    "404",    "login",  "login",  "404"),
    ("comment page", MEMBERS):           ("shown",  "shown",  "shown",  "login",  "login",  "shown"),
    ("comment page", FRIENDS):           ("shown",  "shown",  "404",    "login",  "login",  "404"),
    ("comment page", PRIVATE):           ("shown",  "404",    "404",    "login",  "login",  "404"),
    ("photo", MEMBERS):                  ("shown",  "shown",  "shown",  "login",  "login",  "shown"),
    ("photo", FRIENDS):                  ("shown",  "shown",  "404",    "login",  "login",  "404"),
    ("photo", PRIVATE):                  ("shown",  "404",    "404",    "login",  "login",  "404"),
    ("atom feed", MEMBERS):              ("listed", "listed", "listed", "listed", "listed", "listed"),
    ("atom feed", FRIENDS):              ("absent", "absent", "absent", "absent", "absent", "absent"),
    ("atom feed", PRIVATE):              ("absent", "absent", "absent", "absent", "absent", "absent"),
    ("keitai entry page", MEMBERS):      ("shown",  "shown",  "shown",  "login",  "login",  "shown"),
    ("keitai entry page", FRIENDS):      ("shown",  "shown",  "404",    "login",  "login",  "404"),
    ("keitai entry page", PRIVATE):      ("shown",  "404",    "404",    "login",  "login",  "404"),
}
WAYS = list(dict.fromkeys(way for way, _ in EXPECTED))

# The author is suspended: nothing they wrote reaches anyone, not even their friend, not even an admin
# reading diaries (admins see a suspended member's profile page, but no entries on it). Any visibility.
SUSPENDED_AUTHOR_VIEWERS = ("friend", "other", "admin")
EXPECTED_WHEN_AUTHOR_SUSPENDED = {
    #                        friend    other     admin
    "entry page":           ("404",    "404",    "404"),
    "friends feed":         ("absent", "absent", "absent"),
    "site feed":            ("absent", "absent", "absent"),
    "member's diary":       ("404",    "404",    "absent"),
    "monthly archive":      ("404",    "404",    "absent"),
    "search":               ("absent", "absent", "absent"),
    "comment post":         ("404",    "404",    "404"),
    "comment page":         ("404",    "404",    "404"),
    "photo":                ("404",    "404",    "404"),
    "atom feed":            ("404",    "404",    "404"),
    "keitai entry page":    ("404",    "404",    "404"),
}


@pytest.fixture(scope="module")
def image_key(app):
    """One stored photo that all entries point at: Pillow runs once for the whole table."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 140, 60)).save(out, "JPEG")
    with app.app_context():
        return media.store_image(out.getvalue(), app.config["EJAN_MEDIA_DIR"]).key


@pytest.fixture
def cast(make_member, befriend, image_key):
    author = make_member("佐藤")
    people = {"author": author, "friend": make_member("鈴木"), "other": make_member("田中"),
              "suspended": make_member("停止予定"), "admin": make_member("管理者", role="admin")}
    befriend(author, people["friend"])
    entries = {}
    for visibility in VISIBILITIES:
        entry = services.create_entry(author, title=TITLES[visibility], visibility=visibility,
                                      body=f"今日は{SEARCH_WORD}に登りました。")
        entry.photos.append(DiaryPhoto(position=0, image_key=image_key))
        db.session.commit()
        comment = services.add_comment(author, entry.id, f"{TITLES[visibility]}への追記")
        entries[visibility] = {"id": entry.id, "photo": entry.photos[0].id, "comment": comment.id,
                               "created_at": entry.created_at}
    services.update_settings(author, default_visibility=MEMBERS, feed_enabled=True)
    return {"people": people, "entries": entries, "feed": services.feed_token(author)}


def clients_for(cast, viewer, browser, keitai, login) -> dict:
    """A PC browser and an au phone (it keeps cookies) for the viewer, logged in unless a stranger."""
    clients = {"pc": browser(), "keitai": keitai("au")}
    if viewer != "stranger":
        for client in clients.values():
            login(client, cast["people"][viewer])
    if viewer == "suspended":
        members.suspend(cast["people"]["admin"], cast["people"]["suspended"])
    return clients


def comment_count(entry_id) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(DiaryComment.id)).where(DiaryComment.entry_id == entry_id))


def observe(way, client, cast, visibility) -> str:
    """Reach the entry of this visibility by this way and name what happened, in the table's words."""
    entry = cast["entries"][visibility]
    author_id = cast["people"]["author"].id
    title = TITLES[visibility]
    if way == "comment post":
        before = comment_count(entry["id"])
        response = client.post(f"/diary/{entry['id']}/comments", data={"body": "見ました", "submit_token": visibility})
        stored = comment_count(entry["id"]) - before
        if response.status_code == 302 and urlsplit(response.headers["Location"]).path == f"/diary/{entry['id']}":
            assert stored == 1
            return "stored"
        assert stored == 0, "a refused comment was stored anyway"
    else:
        created = to_jst(entry["created_at"])
        url = {
            "entry page": f"/diary/{entry['id']}",
            "keitai entry page": f"/diary/{entry['id']}",
            "friends feed": "/diary/friends",
            "site feed": "/diary/everyone",
            "member's diary": f"/members/{author_id}/diary",
            "monthly archive": f"/members/{author_id}/diary/{created.year}/{created.month}",
            "search": f"/diary/search?q={quote(SEARCH_WORD)}",
            "comment page": f"/diary/comments/{entry['comment']}",
            "photo": f"/diary/photos/{entry['photo']}/pc",
            "atom feed": f"/diary/feed/{cast['feed']}.atom",
        }[way]
        response = client.get(url)
    if response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login":
        return "login"
    if way == "photo":
        if response.status_code == 200:
            assert response.mimetype == "image/jpeg"
            return "shown"
        body = response.get_data(as_text=True)
    elif way == "keitai entry page":
        body = response.data.decode("cp932")
    else:
        body = response.get_data(as_text=True)
    if response.status_code == 404:
        assert title not in body, "a refused entry's title leaked"
        return "404"
    assert response.status_code == 200, (way, response.status_code)
    if way == "atom feed":
        titles = [t.text for t in ET.fromstring(response.data).iter("{http://www.w3.org/2005/Atom}title")]
        return "listed" if title in titles else "absent"
    if way in ("entry page", "keitai entry page", "comment page"):
        assert title in body
        return "shown"
    return "listed" if title in body else "absent"


def observe_all(clients, cast, ways, visibilities) -> dict:
    return {(way, v): observe(way, clients["keitai" if way.startswith("keitai") else "pc"], cast, v)
            for way in ways for v in visibilities}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_who_reaches_which_entry(browser, keitai, login, cast, viewer):
    """One viewer's column of the table; a failure lists every (way, visibility) that differs."""
    clients = clients_for(cast, viewer, browser, keitai, login)
    column = VIEWERS.index(viewer)
    expected = {key: outcomes[column] for key, outcomes in EXPECTED.items()}
    assert observe_all(clients, cast, WAYS, VISIBILITIES) == expected


@pytest.mark.parametrize("viewer", SUSPENDED_AUTHOR_VIEWERS)
def test_nothing_of_a_suspended_author_reaches_anyone(browser, keitai, login, cast, viewer):
    clients = clients_for(cast, viewer, browser, keitai, login)
    members.suspend(cast["people"]["admin"], cast["people"]["author"])
    column = SUSPENDED_AUTHOR_VIEWERS.index(viewer)
    expected = {(way, v): outcomes[column] for way, outcomes in EXPECTED_WHEN_AUTHOR_SUSPENDED.items()
                for v in ((MEMBERS,) if way == "atom feed" else VISIBILITIES)}  # the feed is one address
    seen = observe_all(clients, cast, [w for w in WAYS if w != "atom feed"], VISIBILITIES)
    seen.update(observe_all(clients, cast, ["atom feed"], (MEMBERS,)))
    assert seen == expected


def test_a_reinstated_author_is_read_again(browser, cast):
    people = cast["people"]
    members.suspend(people["admin"], people["author"])
    members.reinstate(people["admin"], people["author"])
    assert observe("entry page", browser(people["other"]), cast, MEMBERS) == "shown"


def test_the_tables_cover_every_way_visibility_and_viewer():
    assert set(EXPECTED) == {(way, v) for way in WAYS for v in VISIBILITIES}
    assert all(len(row) == len(VIEWERS) for row in EXPECTED.values())
    assert set(EXPECTED_WHEN_AUTHOR_SUSPENDED) == set(WAYS)
    assert all(len(row) == len(SUSPENDED_AUTHOR_VIEWERS) for row in EXPECTED_WHEN_AUTHOR_SUSPENDED.values())


# --- the rule itself: the Python check and the SQL condition always agree ----------------------------

def test_the_page_rule_and_the_list_rule_agree_for_every_pair(make_member, befriend):
    """can_see() guards single pages, visible_to() filters lists; a difference would show an entry in a
    list that then answers 404, or hide one that opens."""
    admin = make_member("管理者", role="admin")
    people = [make_member(n) for n in ("佐藤", "鈴木", "田中", "停止中")] + [admin]
    befriend(people[0], people[1])
    for author in people[:4]:
        for visibility in VISIBILITIES:
            services.create_entry(author, title=f"{author.nickname}-{visibility}", body="本文", visibility=visibility)
    members.suspend(admin, people[3])
    db.session.expire_all()
    all_entries = db.session.scalars(select(DiaryEntry)).all()
    for viewer in [db.session.get(Member, p.id) for p in people]:
        listed = set(db.session.scalars(select(DiaryEntry.id).where(services.visible_to(viewer))))
        allowed = {e.id for e in all_entries if services.can_see(viewer, e)}
        assert listed == allowed, viewer.nickname
        # The lists' own statement, built once with the viewer bound when it runs, says the same.
        listing, params = services._listing(viewer)
        assert {e.id for e in db.session.execute(listing, params)} == allowed, viewer.nickname
    assert not any(services.can_see(None, e) for e in all_entries)
