"""Starting and ending events in one line, for the disaster tests."""
from __future__ import annotations

from ejan.disaster import events

NOTICE = {"ja": {"title": "避難所を開設しました", "body": "大東地区の避難所を開設しました。"}}
FOUR_LANGUAGES = {
    "ja": {"title": "避難所を開設しました", "body": "大東地区の避難所を開設しました。"},
    "ja@easy": {"title": "ひなんじょを あけました", "body": "だいとうの ひなんじょを あけました。"},
    "pt": {"title": "Abrigo aberto", "body": "O abrigo de Daito está aberto."},
    "en": {"title": "Shelter open", "body": "The Daito shelter is open."},
}


def start(admin, *, drill: bool = False, title: str = "大雨による浸水", texts=None, **kwargs):
    return events.start_event(title, "flood", ["大東", "大須賀"], texts or NOTICE, by=admin, drill=drill, **kwargs)
