"""The official notice a telegram writes: time, epicentre, magnitude and Kakegawa's intensity, in every language.

Written by the site at 2 a.m. with nobody to check it, so it says plainly that it was generated from
JMA's information and that the city has not confirmed it yet, and credits JMA (CC BY 4.0).
"""
from __future__ import annotations

import hashlib
import json

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import i18n
from ..clock import JST
from . import jma

# How the scale's steps read; digits read as they are.
_STEPS = {"5-": _l("5弱"), "5+": _l("5強"), "6-": _l("6弱"), "6+": _l("6強")}
_PLACES = {jma.CITY_NAME: _l("掛川市"), jma.AREA_NAME: _l("静岡県西部")}


def intensity_words(intensity: str | None) -> str:
    return str(_STEPS.get(intensity, intensity or "-"))


def texts_for(telegram: jma.Telegram, *, drill: bool = False) -> dict:
    """{language: {"title", "body"}} for every language of the site."""
    texts = {}
    for code in i18n.CODES:
        with force_locale(code):
            texts[code] = {"title": _title(telegram, drill), "body": _body(telegram, drill)}
    return texts


def correction_texts(telegram: jma.Telegram) -> dict:
    """The notice that goes out when JMA cancels the telegram an automatic broadcast came from."""
    texts = {}
    for code in i18n.CODES:
        with force_locale(code):
            texts[code] = {
                "title": _("【取消】先ほどの地震情報は取り消されました"),
                "body": "\n".join((
                    _("気象庁が、先ほどの地震の情報を取り消しました。"),
                    _("このサイトが自動でお知らせした災害モードも取り消します。"),
                    _("出典：気象庁"),
                )),
            }
    return texts


def digest(texts: dict) -> str:
    """What a notice says, in short: a later telegram posts a new notice only when this changes."""
    return hashlib.sha256(json.dumps(texts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def event_title(telegram: jma.Telegram) -> str:
    """The event's title, in Japanese as the event list shows it to the city's staff."""
    with force_locale(i18n.DEFAULT):
        return _title(telegram, False)


def _place(telegram: jma.Telegram) -> str:
    return str(_PLACES.get(telegram.intensity_place or jma.CITY_NAME, _PLACES[jma.CITY_NAME]))


def _title(telegram: jma.Telegram, drill: bool) -> str:
    title = _("地震（%(place)s 震度%(intensity)s）", place=_place(telegram),
              intensity=intensity_words(telegram.intensity))
    return _("【訓練】%(title)s", title=title) if drill else title


def _body(telegram: jma.Telegram, drill: bool) -> str:
    lines = []
    if drill:
        lines.append(_("これは訓練です。"))
    if telegram.origin_time is not None:
        local = telegram.origin_time.astimezone(JST)
        lines.append(_("%(month)d月%(day)d日 %(hour)02d時%(minute)02d分ころ、地震がありました。",
                       month=local.month, day=local.day, hour=local.hour, minute=local.minute))
    else:
        lines.append(_("強い揺れの地震がありました。"))
    if telegram.epicentre:
        lines.append(_("震源地：%(place)s", place=telegram.epicentre))
    if telegram.magnitude and telegram.magnitude.lower() != "nan":
        lines.append(_("マグニチュード：%(magnitude)s", magnitude=telegram.magnitude))
    if telegram.intensity_place == jma.AREA_NAME:
        lines.append(_("静岡県西部の震度：%(intensity)s（掛川市の震度はまだ発表されていません）",
                       intensity=intensity_words(telegram.intensity)))
    else:
        lines.append(_("掛川市の震度：%(intensity)s", intensity=intensity_words(telegram.intensity)))
    lines.append(_("気象庁の情報から自動でお知らせしています。市が確認するまでお待ちください。"))
    lines.append(_("出典：気象庁"))
    return "\n".join(lines)
