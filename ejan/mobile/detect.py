"""Classify a request's User-Agent as a PC, a smartphone or a keitai.

Japanese feature phones ("keitai") need their own pages: they render
cHTML/XHTML-MP, most expect Shift_JIS, and some cannot keep a session
cookie, so the session id has to travel in the URL instead.  This module
only reads the User-Agent string; it is pure stdlib so it can be used from
request hooks, Celery tasks and tests alike.

The rules were checked against the ke-tai.org phone list of 2007-09
(shared/data/keitai_ua_2007.csv); see tests/mobile/test_detect.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

__all__ = ["Device", "detect", "KIND_PC", "KIND_SMARTPHONE", "KIND_KEITAI"]

KIND_PC: Final = "pc"
KIND_SMARTPHONE: Final = "smartphone"
KIND_KEITAI: Final = "keitai"

CARRIER_DOCOMO: Final = "docomo"
CARRIER_AU: Final = "au"
CARRIER_SOFTBANK: Final = "softbank"

_CP932: Final = "cp932"
_UTF8: Final = "utf-8"


@dataclass(frozen=True)
class Device:
    kind: str
    carrier: str | None
    model: str | None
    cookies: bool
    encoding: str

    @property
    def is_keitai(self) -> bool:
        return self.kind == KIND_KEITAI


_PC: Final = Device(kind=KIND_PC, carrier=None, model=None, cookies=True, encoding=_UTF8)
_SMARTPHONE: Final = Device(
    kind=KIND_SMARTPHONE, carrier=None, model=None, cookies=True, encoding=_UTF8
)

# --- DoCoMo ---------------------------------------------------------------
# mova:  "DoCoMo/1.0/N505i/c20/TB/W20H10"
# FOMA:  "DoCoMo/2.0 N903i(c100;TB;W24H12)"; "MST_v_" marks pre-release units.
_DOCOMO_MOVA_RE: Final = re.compile(r"DoCoMo/1\.0/([^/\s(]+)(?:/c(\d+))?")
_DOCOMO_FOMA_RE: Final = re.compile(r"DoCoMo/2\.0 (?:MST_v_)?([^(\s;]+)(?:\(c(\d+))?")
# i-mode browser 1.0 never sends cookies; browser 2.0 (2009 onwards) does and
# is the only one announcing a 500 KB cache, so the cache size tells them apart.
_DOCOMO_BROWSER2_CACHE_KB: Final = 500

# --- au (KDDI) ------------------------------------------------------------
# WAP2.0: "KDDI-CA31 UP.Browser/6.2.0.9 (GUI) MMP/2.0"
# WAP1.0: "UP.Browser/3.04-CA11 UP.Link/3.4.4"; the 2007 list writes every one
# of these as "UP. Browser/...", so the stray space is tolerated.
_AU_WAP2_RE: Final = re.compile(r"KDDI-([^\s/]+)")
_AU_WAP1_RE: Final = re.compile(r"UP\. ?Browser/[^-\s]*-(\S+)")

# --- SoftBank (formerly Vodafone, formerly J-PHONE) ----------------------
# 3G:    "SoftBank/1.0/910SH/SHJ001[/Serial] Browser/NetFront/3.3 ..."
#        "Vodafone/1.0/V903T/TJ001[/Serial] ..."; "Semulator"/"Vemulator" are
#        the carrier's own emulators and send the same shape.
# 2G:    "J-PHONE/4.3/V603SH[/Serial] SH/0007aa Profile/MIDP-1.0 ..."
# Motorola's 702MO/702sMO sold by Vodafone send a plain "MOT-V980/80.2F.2E. ...".
_SOFTBANK_3G_RE: Final = re.compile(
    r"(?:SoftBank|Vodafone|Semulator|Vemulator)/[^/\s]*/([^/\s\[(]+)"
)
_JPHONE_RE: Final = re.compile(r"J-PHONE/(\d+)[^/\s]*/([^/\s\[(]+)")
_MOTOROLA_RE: Final = re.compile(r"MOT-([^/\s]+)")
# J-PHONE/5.x is the W-type (Vodafone's first 3G-era browser) which keeps
# cookies; the older C- and P-type browsers (2.x-4.x) do not.
_JPHONE_COOKIE_MIN_MAJOR: Final = 5

# --- smartphones ----------------------------------------------------------
# Android phones say "Mobile"; Android tablets and iPads do not and get the PC
# pages, which suit their screens.  "(Mobile;" is Firefox OS / KaiOS.
_SMARTPHONE_RE: Final = re.compile(
    r"iPhone|iPod|Windows Phone|IEMobile|BlackBerry|\bBB10\b|Opera Mini|\(Mobile;"
)


def _keitai(carrier: str, model: str | None, cookies: bool, encoding: str) -> Device:
    return Device(
        kind=KIND_KEITAI, carrier=carrier, model=model or None, cookies=cookies, encoding=encoding
    )


def _detect_docomo(ua: str) -> Device:
    m = _DOCOMO_FOMA_RE.match(ua) or _DOCOMO_MOVA_RE.match(ua)
    model = m.group(1) if m else None
    cache_kb = int(m.group(2)) if m and m.group(2) else 0
    cookies = ua.startswith("DoCoMo/2.0") and cache_kb >= _DOCOMO_BROWSER2_CACHE_KB
    return _keitai(CARRIER_DOCOMO, model, cookies, _CP932)


def _detect_au(ua: str) -> Device:
    m = _AU_WAP2_RE.match(ua) or _AU_WAP1_RE.match(ua)
    # EZweb has handled cookies since the HDML days (the UP.Link gateway kept
    # them for WAP1.0 handsets), so every au phone counts as cookie-capable.
    return _keitai(CARRIER_AU, m.group(1) if m else None, True, _CP932)


def _detect_softbank(ua: str) -> Device:
    m = _SOFTBANK_3G_RE.match(ua) or _MOTOROLA_RE.match(ua)
    if m:
        # 3G handsets keep cookies and are happiest with UTF-8.
        return _keitai(CARRIER_SOFTBANK, m.group(1), True, _UTF8)
    jm = _JPHONE_RE.match(ua)
    if jm:
        cookies = int(jm.group(1)) >= _JPHONE_COOKIE_MIN_MAJOR
        return _keitai(CARRIER_SOFTBANK, jm.group(2), cookies, _CP932)
    # Prefix matched but the rest is mangled: assume the oldest, most limited
    # browser so pages still work.
    return _keitai(CARRIER_SOFTBANK, None, False, _CP932)


def detect(user_agent: str | None) -> Device:
    """Return what kind of device sent ``user_agent``; never raises."""
    if not isinstance(user_agent, str):
        return _PC
    ua = user_agent.strip()
    if not ua:
        return _PC

    # Carrier UAs always start with the carrier's token, while desktop
    # browsers, bots and smartphones start with "Mozilla/" or similar; so
    # anchoring on the prefix keeps a stray "DoCoMo" in a bot UA from
    # turning a PC into a keitai.
    if ua.startswith("DoCoMo/"):
        return _detect_docomo(ua)
    if ua.startswith(("KDDI-", "UP.Browser/", "UP. Browser/")):
        return _detect_au(ua)
    if ua.startswith(("SoftBank/", "Vodafone/", "J-PHONE/", "MOT-", "Semulator/", "Vemulator/")):
        return _detect_softbank(ua)

    if _SMARTPHONE_RE.search(ua) or ("Android" in ua and "Mobile" in ua):
        return _SMARTPHONE
    return _PC
