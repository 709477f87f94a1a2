"""A mailed report's subject: a damage category when it names one, else a title that leads the text.

The words are what residents type on a phone's keypad in a hurry, matched, never shown: the site
shows each category in its own wording (ejan/disaster).
"""
from __future__ import annotations

OTHER = "other"
# Category -> words that name it in a subject (Japanese as typed, a few easy/roman/Portuguese forms).
KEYWORDS = {
    "building": ("建物", "家屋", "倒壊", "損壊", "ブロック塀", "屋根", "たてもの", "building", "casa", "prédio"),
    "flooding": ("冠水", "浸水", "洪水", "水害", "かんすい", "flood", "alagamento", "inundação"),
    "landslide": ("土砂", "崖崩れ", "がけ崩れ", "がけくずれ", "地すべり", "地滑り", "landslide", "deslizamento"),
    "road": ("道路", "通行止", "陥没", "どうろ", "road", "estrada", "rua"),
    "fire": ("火事", "火災", "かじ", "fire", "incêndio", "fogo"),
    "power": ("停電", "ていでん", "power", "energia", "luz"),
    "water": ("断水", "水道", "だんすい", "water", "água"),
    "shelter": ("避難所", "ひなんじょ", "shelter", "abrigo"),
    "other": ("その他", "そのほか", "other", "outro"),
}


def category_of(subject: str) -> str | None:
    lowered = (subject or "").strip().lower()
    if not lowered:
        return None
    for category, words in KEYWORDS.items():
        if any(word in lowered for word in words):
            return category
    return None


def category_and_text(subject: str, text: str) -> tuple[str, str]:
    """(category, text): a subject that is only a category is dropped; any other subject heads the text."""
    subject, text = (subject or "").strip(), (text or "").strip()
    category = category_of(subject) or category_of(text[:40]) or OTHER
    if subject and not _only_category(subject):
        text = f"{subject}\n{text}" if text else subject
    return category, text


def _only_category(subject: str) -> bool:
    lowered = subject.lower()
    return any(lowered == word for words in KEYWORDS.values() for word in words)
