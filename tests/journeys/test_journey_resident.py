"""Journey 1, a resident's ordinary week (docs/journeys.md): Sato-san is invited by her neighbour,
registers, adds a photo, accepts two friend requests, writes a friends-only diary entry with a
photo, joins 「倉真の茶畑」 and answers the city's bus survey from her flip phone on the way home."""
from __future__ import annotations

import pytest

from steps import build_survey, keitai_answer, keitai_login, seed_admin, seed_community, seed_member

pytestmark = pytest.mark.journey

SATO = "sato.hanako@example.jp"
OPINION = "朝の便を増やしてほしいです。掛川駅まで座って行きたい。"


def test_a_residents_ordinary_week(journey, photo):
    city = seed_admin()
    neighbour = seed_member("suzuki@example.jp", "鈴木", district="倉真", invited_by=city)
    tanaka = seed_member("tanaka@example.jp", "田中", district="倉真", invited_by=neighbour)
    yamamoto = seed_member("yamamoto@example.jp", "山本", district="倉真", invited_by=neighbour)
    grower = seed_member("matsushita@example.jp", "茶農家の松下", district="倉真", invited_by=city)
    seed_community(grower, "倉真の茶畑", "地域", description="倉真の茶畑の四季と、摘み取りの手伝い。")

    # The city has a survey on bus routes open for everyone.
    office = journey.person("市の担当者")
    office.login(city.email)
    build_survey(office, "/surveys/new", "バス路線についてのアンケート", [
        {"kind": "ひとつ選ぶ", "prompt": "いちばんよく使うバスは？", "options": ["掛川大須賀線", "倉真線", "使わない"],
         "required": True},
        {"kind": "自由に書く", "prompt": "バスについてご意見をどうぞ"},
    ], shots=False)
    office.press("公開する", shot="city-survey-open")

    # The neighbour invites Sato-san.
    suzuki = journey.person("鈴木さん")
    suzuki.login(neighbour.email)
    suzuki.go("/invitations")
    suzuki.fill("招待する方のメールアドレス", SATO)
    suzuki.fill("ひとことメッセージ（任意）", "佐藤さん、地域のSNSです。お茶の写真も載せられますよ。")
    suzuki.press("招待メールを送る", shot="invitation-sent")

    # The invitation mail arrives; Sato-san registers from her PC (or phone).
    invitation = journey.mail(SATO, "招待", seconds=10)
    sato = journey.person("佐藤さん")
    sato.go(journey.link_in(invitation, "/join/"))
    sato.see("鈴木")
    sato.fill("ニックネーム", "佐藤")
    sato.select("お住まいの地区", "倉真")
    sato.fill("パスワード（8文字以上）", "ochazuke-2026")
    sato.fill("パスワード（確認）", "ochazuke-2026")
    sato.shot("registration")
    sato.press("登録する", shot="registered")
    if "/login" in sato.page.url:
        sato.login(SATO, "ochazuke-2026")

    # A photo for her profile.
    sato.go("/profile/edit")
    sato.fill("自己紹介", "倉真で茶畑をやっています。")
    sato.upload("プロフィール写真", photo)
    sato.press("保存する", shot="profile-with-photo")
    if sato.page.locator("img[src*='/photo/']").count() == 0:
        raise sato.fail("the profile photo does not show after saving it")
    profile = sato.where if "/members/" in sato.where else None
    sato_id = int(sato.page.evaluate("location.pathname.split('/')[2]")) if profile else None

    # Two friends ask to become マイフレンド.
    if sato_id is None:
        sato.press("プロフィール", kind="link")
        sato_id = int(sato.page.evaluate("location.pathname.split('/')[2]"))
    for name, member in (("田中さん", tanaka), ("山本さん", yamamoto)):
        friend = journey.person(name)
        friend.login(member.email)
        friend.go(f"/members/{sato_id}")
        friend.press("マイフレンドに申請", kind="link")
        friend.press("申請する")
    sato.go("/friends/requests", shot="two-friend-requests")
    for _ in range(2):
        sato.press("承認する")
    sato.go(f"/members/{sato_id}", shot="two-friends")
    sato.see("マイフレンド 2人")

    # A diary entry about the tea harvest, for friends only, with a photo.
    sato.go("/diary/new")
    sato.fill("タイトル", "一番茶の摘み取り")
    sato.fill("本文", "今年も一番茶の季節です。朝から家族で摘みました。")
    sato.select("公開範囲", "マイフレンドまで公開")
    sato.upload("写真1", photo)
    sato.shot("diary-form")
    sato.press("書き込む", shot="diary-entry")
    entry = sato.where
    if sato.page.locator("img[src*='/diary/photos/']").count() == 0:
        raise sato.fail("the diary entry's photo does not show")
    friend = journey.people[-1]
    friend.go(entry)
    friend.see("一番茶の摘み取り", why="a マイフレンド should read a friends-only entry")
    friend.shot("friend-reads-diary")

    # She joins the tea field community.
    sato.go("/communities")
    sato.press("倉真の茶畑", kind="link")
    sato.press("このコミュニティに参加する", kind="link")
    sato.press("参加する", shot="joined-community")

    # On the bus home: the city's survey from her flip phone (no cookies, Shift_JIS).
    keitai = journey.person("佐藤さんの携帯", keitai=True)
    keitai_login(keitai, SATO, "ochazuke-2026")
    keitai.shot("keitai-home")
    keitai.go("/surveys")
    keitai.press("バス路線についてのアンケート", kind="link", shot="keitai-survey")
    keitai.press("回答する", kind="link")
    keitai_answer(keitai, ["倉真線", {"text": OPINION}])
    keitai.shot("keitai-answered")
    if "ejs=" not in keitai.page.url:
        raise keitai.fail("after answering, the session is no longer in the address")

    # The city sees her answer, written in Shift_JIS on the phone, as she wrote it.
    office.go(office.where)
    office.press("結果", kind="link", shot="city-survey-results")
    office.see("倉真線")
    office.see(OPINION, why="the keitai's Shift_JIS answer should read back as she typed it")
