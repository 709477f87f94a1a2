"""What disaster mode calls things, in every language: one place for forms, lists, mail and the CSV."""
from flask_babel import lazy_gettext as _l, lazy_pgettext

EVENT_KIND = {
    "earthquake": _l("地震"),
    "flood": _l("水害"),
    "typhoon": _l("台風"),
    "landslide": _l("土砂災害"),
    "other": _l("その他の災害"),
}

REPORT_CATEGORY = {
    "building": _l("建物の被害"),
    "flooding": _l("浸水・冠水"),
    "landslide": _l("土砂崩れ"),
    "road": _l("道路の通行止め"),
    "fire": _l("火災"),
    "power": _l("停電"),
    "water": _l("断水"),
    "shelter": _l("避難所の状況"),
    "other": _l("その他"),
}

REPORT_STATUS = {
    "unverified": _l("未確認"),
    "verified": _l("確認済み"),
    "resolved": _l("対応済み"),
    "hidden": _l("非表示"),
}

CHECKIN_STATUS = {
    "safe": _l("無事です"),
    "injured": _l("けがをしています"),
    "home": _l("自宅にいます"),
    "shelter": _l("避難所にいます"),
    "rescue": _l("救助が必要です"),
}

# The short forms the counts use (「無事 12, 避難所 3」).
CHECKIN_SHORT = {
    "safe": _l("無事"),
    "injured": _l("けが"),
    "home": _l("自宅"),
    "shelter": _l("避難所"),
    "rescue": _l("救助が必要"),
    "unchecked": lazy_pgettext("checkin", "未確認"),  # not a report's 未確認 (unverified): nobody checked in
}

CHECKIN_VISIBILITY = {
    "friends": _l("マイフレンド"),
    "communities": _l("マイフレンドと参加コミュニティのメンバー"),
    "staff": _l("市の職員だけ"),
}

LOG_ACTION = {
    "start": _l("開始"),
    "confirm": _l("確認"),
    "update": _l("変更"),
    "notice": _l("お知らせ"),
    "cancel": _l("取り消し"),
    "cancel_refused": _l("取り消し（確認済みのため継続）"),
    "end": _l("終了"),
}


# The words of a member's own part of the disaster screen (_screen_personal.html), as plain strings per
# language: it is rendered for every member's first load in a surge, and looking each word up in the
# catalogue there cost more than the rest of the part.
SCREEN_WORDS = {
    "title": _l("安否"),
    "friends": _l("マイフレンド"),
    "no_friends": _l("マイフレンドはまだいません"),
    "communities": _l("コミュニティ"),
    "you": _l("あなた"),
    "not_yet": _l("まだ安否を登録していません。登録する"),
}
_screen_words: dict[str, dict] = {}


def screen_words(language: str) -> dict:
    """SCREEN_WORDS, CHECKIN_SHORT ("short") and CHECKIN_STATUS ("status") as plain strings in `language`, which
    must be the locale of the moment (the request's, or force_locale's)."""
    found = _screen_words.get(language)
    if found is None:
        found = {**{key: str(word) for key, word in SCREEN_WORDS.items()},
                 "short": {key: str(word) for key, word in CHECKIN_SHORT.items()},
                 "status": {key: str(word) for key, word in CHECKIN_STATUS.items()}}
        _screen_words[language] = found
    return found


def init_app(app) -> None:
    app.add_template_global({"event_kind": EVENT_KIND, "report_category": REPORT_CATEGORY,
                             "report_status": REPORT_STATUS, "checkin_status": CHECKIN_STATUS,
                             "checkin_short": CHECKIN_SHORT, "checkin_visibility": CHECKIN_VISIBILITY,
                             "log_action": LOG_ACTION}, "disaster_words")
