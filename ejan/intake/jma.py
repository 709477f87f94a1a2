"""Reading a JMA earthquake telegram (気象庁防災情報XML): plain bytes in, a Telegram or TelegramError out.

Knows nothing of Flask or the database, so every sample in shared/data/jma/ is read by a plain test.
The XML comes from outside the city's control (a feed relay), so it is parsed with defusedxml:
no entity expansion, no external DTDs. Every way a body can be wrong ends in TelegramError with a
reason an operator can read; nothing else escapes.

Where Kakegawa's intensity comes from, in order:
  1. 掛川市 (2221300) among the municipalities of Body/Intensity/Observation (震源・震度に関する情報);
  2. only when the telegram lists no municipality at all (震度速報 gives areas only): 静岡県西部 (443).
A municipality or area with Condition 震度５弱以上未入電 ("5- or more, not yet received") counts as
at least 5-. A telegram that lists municipalities but not Kakegawa says Kakegawa was not shaken to
intensity 1: its intensity is None.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

NS = {
    "jmx": "http://xml.kishou.go.jp/jmaxml1/",
    "ib": "http://xml.kishou.go.jp/jmaxml1/informationBasis1/",
    "seis": "http://xml.kishou.go.jp/jmaxml1/body/seismology1/",
    "eb": "http://xml.kishou.go.jp/jmaxml1/elementBasis1/",
}

KAKEGAWA_CITY = "2221300"  # 掛川市, codeType 気象・地震・火山情報／市町村等
KAKEGAWA_AREA = "443"  # 静岡県西部, codeType 地震情報／細分区域
CITY_NAME, AREA_NAME = "掛川市", "静岡県西部"

# The telegrams that carry intensities for Kakegawa: 震度速報 (VXSE51) and 震源・震度に関する情報 (VXSE53).
INTENSITY_TITLES = ("震度速報", "震源・震度に関する情報")
STATUS_NORMAL, STATUS_DRILL, STATUS_TEST = "通常", "訓練", "試験"
STATUSES = (STATUS_NORMAL, STATUS_DRILL, STATUS_TEST)
INFO_ISSUE, INFO_CORRECTION, INFO_CANCEL = "発表", "訂正", "取消"
INFO_TYPES = (INFO_ISSUE, INFO_CORRECTION, INFO_CANCEL)

# JMA's seismic intensity scale, weakest first; what a telegram may write for each step.
SCALE = ("1", "2", "3", "4", "5-", "5+", "6-", "6+", "7")
_SPELLINGS = {"5弱": "5-", "5強": "5+", "6弱": "6-", "6強": "6+"}
UNREPORTED_CONDITION = "震度５弱以上未入電"
_WIDE = str.maketrans("０１２３４５６７８９－＋", "0123456789-+")

MAX_FIELD = 200  # a value longer than this is not a value JMA writes; it is cut, never trusted at length


class TelegramError(ValueError):
    """The body is not a telegram this site can read; str() is the reason, for the operator."""


@dataclass(frozen=True)
class Telegram:
    title: str  # Control/Title: 震度速報, 震源・震度に関する情報, …
    status: str  # 通常 / 訓練 / 試験
    info_type: str  # 発表 / 訂正 / 取消
    event_id: str
    report_datetime: datetime  # timezone-aware, as JMA wrote it (+09:00)
    serial: str  # may be empty (震度速報)
    headline: str
    origin_time: datetime | None
    epicentre: str | None
    magnitude: str | None  # "6.6"; JMA writes NaN (with a description) when unknown
    magnitude_description: str | None  # "Ｍ６．６", "Ｍ不明"
    intensity: str | None  # Kakegawa's, on SCALE; None: not listed (or a cancellation)
    intensity_place: str | None  # CITY_NAME or AREA_NAME: where `intensity` was read
    max_intensity: str | None  # the strongest anywhere

    @property
    def is_intensity_report(self) -> bool:
        return self.title in INTENSITY_TITLES

    @property
    def order_key(self) -> tuple:
        """Later telegrams of one EventID supersede earlier ones: by ReportDateTime, then Serial when given.

        (naive UTC, serial or -1): the way both are stored, so a stored key compares with a new one."""
        return (utc(self.report_datetime), self.serial_number)

    @property
    def serial_number(self) -> int:
        return int(self.serial) if self.serial.isdigit() and len(self.serial) < 9 else -1


def digest(data: bytes) -> str:
    """The same bytes delivered twice are one telegram."""
    return hashlib.sha256(data).hexdigest()


def utc(moment: datetime) -> datetime:
    """A telegram's time (with its +09:00) as the site stores times: naive UTC."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def rank(intensity: str | None) -> int:
    """Position on the scale, -1 for none: compare intensities with this, never as strings."""
    return SCALE.index(intensity) if intensity in SCALE else -1


def normalize_intensity(value: str | None) -> str | None:
    """'4 ', '５弱', '5弱' -> '4', '5-', '5-'; anything else (including '不明') -> None."""
    if value is None:
        return None
    text = value.translate(_WIDE).replace(" ", "").replace("\u3000", "").strip()
    text = text.removeprefix("震度")
    text = _SPELLINGS.get(text, text)
    return text if text in SCALE else None


def read(data: bytes) -> Telegram:
    """Parse one telegram. TelegramError (with the reason) for anything that is not a readable one."""
    if not data or not data.strip():
        raise TelegramError("empty body")
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise TelegramError(f"forbidden XML construct ({type(error).__name__})") from None
    except ParseError as error:
        raise TelegramError(f"not well-formed XML ({error})") from None
    except (ValueError, LookupError, UnicodeError, RecursionError) as error:  # a bad encoding declaration, absurd nesting
        raise TelegramError(f"unreadable XML ({type(error).__name__})") from None
    if root.tag != _q("jmx", "Report"):
        raise TelegramError(f"not a JMA telegram (root element {_short(root.tag)})")
    control = _child(root, "jmx", "Control")
    head = _child(root, "ib", "Head")
    if control is None or head is None:
        raise TelegramError("not a JMA telegram (no Control or Head)")

    title = _text(control, "jmx", "Title")
    status = _text(control, "jmx", "Status")
    info_type = _text(head, "ib", "InfoType")
    event_id = _text(head, "ib", "EventID")
    if status not in STATUSES:
        raise TelegramError(f"unknown Status {status!r}")
    if info_type not in INFO_TYPES:
        raise TelegramError(f"unknown InfoType {info_type!r}")
    if title not in INTENSITY_TITLES:
        raise TelegramError(f"unknown telegram {title!r} (only 震度速報 and 震源・震度に関する情報 are read)")
    if not event_id:
        raise TelegramError("no EventID")
    report_datetime = _datetime(_text(head, "ib", "ReportDateTime"))
    if report_datetime is None:
        raise TelegramError("no valid ReportDateTime")

    body = _child(root, "seis", "Body")
    if body is None and info_type != INFO_CANCEL:
        raise TelegramError("no Body")
    earthquake = _child(body, "seis", "Earthquake")
    observation = _child(body, "seis", "Intensity/seis:Observation")
    magnitude = _child(earthquake, "eb", "Magnitude")
    intensity, place = _kakegawa(observation)
    return Telegram(
        title=title, status=status, info_type=info_type, event_id=event_id,
        report_datetime=report_datetime,
        serial=_text(head, "ib", "Serial"),
        headline=_text(head, "ib", "Headline/ib:Text"),
        origin_time=_datetime(_text(earthquake, "seis", "OriginTime")),
        epicentre=_text(earthquake, "seis", "Hypocenter/seis:Area/seis:Name") or None,
        magnitude=_clip((magnitude.text or "").strip()) or None if magnitude is not None else None,
        magnitude_description=_clip(magnitude.get("description", "").strip()) or None
        if magnitude is not None else None,
        intensity=intensity, intensity_place=place,
        max_intensity=normalize_intensity(_text(observation, "seis", "MaxInt")),
    )


def _kakegawa(observation: Element | None) -> tuple[str | None, str | None]:
    if observation is None:
        return None, None
    cities = observation.findall("seis:Pref/seis:Area/seis:City", NS)
    if cities:
        for city in cities:
            if _text(city, "seis", "Code") == KAKEGAWA_CITY:
                return _intensity_of(city), CITY_NAME
        return None, None
    for area in observation.findall("seis:Pref/seis:Area", NS):
        if _text(area, "seis", "Code") == KAKEGAWA_AREA:
            return _intensity_of(area), AREA_NAME
    return None, None


def _intensity_of(element: Element) -> str | None:
    """MaxInt, raised to 5- when the condition says a 5- or stronger reading has not arrived yet."""
    value = normalize_intensity(_text(element, "seis", "MaxInt"))
    if _text(element, "seis", "Condition") == UNREPORTED_CONDITION and rank(value) < rank("5-"):
        value = "5-"
    return value


def _q(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


def _short(tag: str) -> str:
    return _clip(tag.rpartition("}")[2] or tag)


def _child(parent: Element | None, prefix: str, path: str) -> Element | None:
    return parent.find(f"{prefix}:{path}", NS) if parent is not None else None


def _text(parent: Element | None, prefix: str, path: str) -> str:
    """The stripped text at path (first step in `prefix`'s namespace), '' when absent."""
    if parent is None:
        return ""
    found = parent.find(f"{prefix}:{path}", NS)
    return _clip((found.text or "").strip()) if found is not None else ""


def _clip(text: str) -> str:
    return text[:MAX_FIELD]


def _datetime(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None else None
