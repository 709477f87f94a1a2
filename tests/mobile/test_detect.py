"""Device detection checked against the ke-tai.org phone list of 2007-09.

The list (shared/data/keitai_ua_2007.csv, see shared/data/README.md) gives
each Japanese phone's User-Agent and, among other things, whether it keeps
cookies.  Every row must be detected as a keitai of the right carrier, and
the cookie rule, which looks only at the UA, must agree with the list except
for the documented incomplete entries below.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import NamedTuple

import pytest

from ejan.mobile.detect import Device, detect

CSV_PATH = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "keitai_ua_2007.csv"
EXPECTED_ROWS = 554

CARRIERS = {"DoCoMo": "docomo", "au": "au", "Vodafone": "softbank", "SoftBank": "softbank"}

# Rows whose クッキー flag is wrong in the source list, by serial.  All are
# entries ke-tai.org had not finished: the first twelve are marked 作成中
# ("entry being written") in 備考, and the two au "Sweets" phones have
# タイプ２ "0" with HTML, SSL and login all 0, which no UP.Browser 6.2 phone
# lacks.  Every other row of the same browser family agrees with the rule
# (all 186 other au rows keep cookies; all 55 other J-PHONE/3.0 rows do not).
COOKIE_DATA_ERRORS: dict[str, str] = {
    "2001580": "au W52H (HI3A), 作成中: flags not filled in",
    "2001590": "au SA3A, 作成中: flags not filled in",
    "2001600": "au TS3D, 作成中: flags not filled in",
    "2001610": "au SN3A, 作成中: flags not filled in",
    "2001620": "au MA32, 作成中: flags not filled in",
    "2001630": "au CA38, 作成中: flags not filled in",
    "2001640": "au SH33, 作成中: flags not filled in",
    "2001650": "au TS3E, 作成中: flags not filled in",
    "2001660": "au ST32, 作成中: flags not filled in",
    "2001670": "au CA39, 作成中: flags not filled in",
    "2001680": "au W53S (SN3B), 作成中: flags not filled in, UA truncated",
    "3000822": "SoftBank 304T (J-PHONE/3.0), 作成中: flags not filled in",
    "2000960": "au Sweets pure (ST29): capability columns left at 0",
    "2000970": "au Sweets cute (ST2C): capability columns left at 0",
}


class Phone(NamedTuple):
    serial: str
    maker: str
    code: str
    ua: str
    type2: str
    cookies: bool
    remarks: str


def _load_phones() -> list[Phone]:
    if not CSV_PATH.is_file():
        return []
    # newline="" lets csv handle the CRLF endings; line 1 is a title, line 2
    # the header.
    with CSV_PATH.open(encoding="utf-8", newline="") as f:
        next(f)
        reader = csv.DictReader(f)
        return [
            Phone(
                serial=row["連番"],
                maker=row["メーカ名"],
                code=row["機種略名"],
                ua=row["ユーザエージェント"],
                type2=row["タイプ２"],
                cookies=row["クッキー"] == "1",
                remarks=row["備考"],
            )
            for row in reader
        ]


PHONES = _load_phones()
BY_SERIAL = {p.serial: p for p in PHONES}

needs_csv = pytest.mark.skipif(not PHONES, reason=f"reference data not found: {CSV_PATH}")


def _phone_params() -> list[object]:
    if not PHONES:
        # Keep one placeholder so the skip reason shows up in the report.
        return [pytest.param(None, id="no-data", marks=needs_csv)]
    return [pytest.param(p, id=f"{p.serial}-{p.code}") for p in PHONES]


def _expected_encoding(ua: str) -> str:
    # 3G SoftBank/Vodafone handsets (the Motorola ones included) take UTF-8;
    # DoCoMo, au and the 2G J-PHONE browsers want Shift_JIS.
    if ua.startswith(("SoftBank/", "Vodafone/", "MOT-")):
        return "utf-8"
    return "cp932"


@needs_csv
def test_row_count() -> None:
    assert len(PHONES) == EXPECTED_ROWS


@needs_csv
def test_serials_are_unique() -> None:
    assert len(BY_SERIAL) == len(PHONES)


@pytest.mark.parametrize("phone", _phone_params())
def test_every_listed_phone_is_a_keitai(phone: Phone) -> None:
    device = detect(phone.ua)
    assert device.kind == "keitai"
    assert device.is_keitai
    assert device.carrier == CARRIERS[phone.maker]
    assert device.encoding == _expected_encoding(phone.ua)
    assert device.model


@pytest.mark.parametrize("phone", _phone_params())
def test_cookie_rule_matches_list(phone: Phone) -> None:
    cookies = detect(phone.ua).cookies
    if phone.serial in COOKIE_DATA_ERRORS:
        # Fails once the list is corrected or the rule changes, so the
        # exception list can never hide more than it says.
        assert cookies != phone.cookies, COOKIE_DATA_ERRORS[phone.serial]
    else:
        assert cookies == phone.cookies


@needs_csv
def test_cookie_exceptions_are_incomplete_entries() -> None:
    for serial in COOKIE_DATA_ERRORS:
        phone = BY_SERIAL[serial]
        assert phone.remarks == "作成中" or phone.type2 == "0", serial


@needs_csv
@pytest.mark.parametrize(
    ("serial", "model"),
    [
        ("1000010", "D501i"),  # DoCoMo/1.0/D501i
        ("1002030", "SH903i"),  # DoCoMo/2.0 SH903i
        ("1000600", "SH2101V"),  # DoCoMo/2.0 MST_v_SH2101V
        ("2000950", "CA28"),  # KDDI-CA28 UP.Browser/6.2.0.9 ...
        ("2000050", "CA11"),  # UP. Browser/3.04-CA11 UP.Link/3.4.4
        ("2001680", "SN3B"),  # KDDI-SN3B (truncated UA)
        ("3001140", "910SH"),  # SoftBank/1.0/910SH/SHJ001[/Serial] ...
        ("3000840", "V903T"),  # Vodafone/1.0/V903T/TJ001[/Serial] ...
        ("3000010", "J-SH02"),  # J-PHONE/2.0/J-SH02
        ("3000630", "J-SH51"),  # J-PHONE/4.0/J-SH51[/Serial] SH/0001aa ...
        ("3000960", "V980"),  # MOT-V980/80.2F.2E. MIB/2.2.1 ...
    ],
)
def test_model_is_parsed_from_ua(serial: str, model: str) -> None:
    assert detect(BY_SERIAL[serial].ua).model == model


# Modern and synthetic UAs need no reference data.

IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"
)
ANDROID_TABLET = (
    "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
DESKTOP_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0"
DESKTOP_CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
WINDOWS_PHONE = (
    "Mozilla/5.0 (Mobile; Windows Phone 8.1; Android 4.0; ARM; Trident/7.0; Touch; rv:11.0; "
    "IEMobile/11.0; NOKIA; Lumia 635) like iPhone OS 7_0_3 Mac OS X AppleWebKit/537 "
    "(KHTML, like Gecko) Mobile Safari/537"
)
BLACKBERRY = (
    "Mozilla/5.0 (BlackBerry; U; BlackBerry 9900; en) AppleWebKit/534.11+ "
    "(KHTML, like Gecko) Version/7.1.0.346 Mobile Safari/534.11+"
)


@pytest.mark.parametrize("ua", [IPHONE_SAFARI, ANDROID_CHROME, WINDOWS_PHONE, BLACKBERRY])
def test_smartphones(ua: str) -> None:
    assert detect(ua) == Device(
        kind="smartphone", carrier=None, model=None, cookies=True, encoding="utf-8"
    )


@pytest.mark.parametrize(
    "ua",
    [
        DESKTOP_FIREFOX,
        DESKTOP_CHROME,
        ANDROID_TABLET,  # big screen: the PC pages suit it better
        None,
        "",
        "   ",
        "garbage \x00\xff\u3042 ((((",
        "DoCoMo",  # no slash: not a carrier prefix
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    ],
)
def test_pcs(ua: str | None) -> None:
    device = detect(ua)
    assert device.kind == "pc"
    assert not device.is_keitai
    assert device.carrier is None
    assert device.model is None
    assert device.cookies
    assert device.encoding == "utf-8"


@pytest.mark.parametrize(
    ("ua", "carrier", "model", "cookies", "encoding"),
    [
        # Shapes real handsets send but the 2007 list abbreviates.
        ("DoCoMo/1.0/N505i/c20/TB/W20H10", "docomo", "N505i", False, "cp932"),
        ("DoCoMo/2.0 N905i(c100;TB;W24H16)", "docomo", "N905i", False, "cp932"),
        # i-mode browser 2.0 (2009) finally keeps cookies.
        ("DoCoMo/2.0 N03B(c500;TB;W24H16)", "docomo", "N03B", True, "cp932"),
        ("UP.Browser/3.04-TS13 UP.Link/3.4.4", "au", "TS13", True, "cp932"),
        ("J-PHONE/4.0/J-SH51/SNJSHA3029293 SH/0001aa", "softbank", "J-SH51", False, "cp932"),
        ("J-PHONE/5.0/V801SA/SN123 SA/0001JP", "softbank", "V801SA", True, "cp932"),
        (
            "SoftBank/1.0/913SH/SHJ001/SN000123456789000 Browser/NetFront/3.4 Profile/MIDP-2.0",
            "softbank",
            "913SH",
            True,
            "utf-8",
        ),
    ],
)
def test_real_world_keitai(
    ua: str, carrier: str, model: str, cookies: bool, encoding: str
) -> None:
    assert detect(ua) == Device(
        kind="keitai", carrier=carrier, model=model, cookies=cookies, encoding=encoding
    )


@pytest.mark.parametrize(
    "ua",
    [
        "DoCoMo/",
        "DoCoMo/2.0",
        "DoCoMo/2.0 (c",
        "KDDI-",
        "UP.Browser/",
        "J-PHONE/x/",
        "MOT-",
        "SoftBank/",
    ],
)
def test_truncated_carrier_uas_do_not_raise(ua: str) -> None:
    device = detect(ua)
    assert device.kind == "keitai"
    assert device.carrier is not None


def test_non_string_is_pc() -> None:
    assert detect(b"DoCoMo/2.0 N905i").kind == "pc"  # type: ignore[arg-type]


def test_device_is_frozen() -> None:
    device = detect(IPHONE_SAFARI)
    with pytest.raises(AttributeError):
        device.kind = "pc"  # type: ignore[misc]
