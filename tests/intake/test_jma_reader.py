"""Every real telegram in shared/data/jma/ is read; anything that is not one is refused with a reason."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from ejan.intake import jma
from jma_samples import ALL, DRILL, IWATE, IWATE_CANCEL, OSAKA_2021, SAME_QUAKE_DETAIL, SHINDO_SOKUHO, data

EXPECTED = {
    # file: (status, info type, EventID, serial, Kakegawa's intensity, where it was read)
    SHINDO_SOKUHO: ("通常", "発表", "20090811050711", "", "6-", "静岡県西部"),
    SAME_QUAKE_DETAIL: ("通常", "発表", "20090811050711", "1", "5-", "掛川市"),
    DRILL: ("訓練", "発表", "20091001134500", "1", "4", "掛川市"),
    IWATE: ("通常", "発表", "20080614084350", "1", "1", "掛川市"),
    IWATE_CANCEL: ("通常", "取消", "20080614084350", "3", None, None),
    OSAKA_2021: ("通常", "発表", "20210216160714", "1", None, None),
}


def test_the_samples_are_the_ones_the_readme_lists():
    assert set(ALL) == set(EXPECTED)


@pytest.mark.parametrize("name", ALL)
def test_every_sample_is_read(name):
    telegram = jma.read(data(name))
    status, info_type, event_id, serial, intensity, place = EXPECTED[name]
    assert (telegram.status, telegram.info_type, telegram.event_id, telegram.serial) == (status, info_type, event_id, serial)
    assert (telegram.intensity, telegram.intensity_place) == (intensity, place)
    assert telegram.report_datetime.tzinfo is not None
    assert telegram.is_intensity_report


def test_the_detailed_telegram_gives_epicentre_magnitude_and_origin_time():
    telegram = jma.read(data(SAME_QUAKE_DETAIL))
    assert telegram.epicentre == "駿河湾"
    assert telegram.magnitude == "6.6"
    assert telegram.origin_time.isoformat() == "2009-08-11T05:07:00+09:00"
    assert telegram.max_intensity == "6-"


def test_the_first_report_has_no_serial_and_no_epicentre_yet():
    telegram = jma.read(data(SHINDO_SOKUHO))
    assert telegram.serial == "" and telegram.serial_number == -1
    assert telegram.epicentre is None and telegram.magnitude is None


def test_the_later_telegram_of_one_quake_sorts_after_the_first():
    assert jma.read(data(SAME_QUAKE_DETAIL)).order_key > jma.read(data(SHINDO_SOKUHO)).order_key
    assert jma.read(data(IWATE_CANCEL)).order_key > jma.read(data(IWATE)).order_key


def test_stray_spaces_in_intensities_are_read():
    # The drill sample writes <MaxInt>4 </MaxInt> for 掛川市.
    assert b"<MaxInt>4 </MaxInt>" in data(DRILL)
    assert jma.read(data(DRILL)).intensity == "4"


def test_a_station_not_yet_reported_counts_as_5_lower():
    # In the 2009 detail telegram 藤枝市 is MaxInt 4 with Condition 震度５弱以上未入電: read as 5-.
    raw = data(SAME_QUAKE_DETAIL).replace(b"<Code>2221300</Code>", b"<Code>XXXXXXX</Code>") \
        .replace(b"<Code>2221400</Code>", b"<Code>2221300</Code>")
    assert jma.read(raw).intensity == "5-"


@pytest.mark.parametrize("value, expected", [("4 ", "4"), ("５弱", "5-"), ("震度6強", "6+"), ("5+", "5+"),
                                             ("不明", None), ("", None), (None, None)])
def test_intensities_are_normalised(value, expected):
    assert jma.normalize_intensity(value) == expected


@pytest.mark.parametrize("name", ALL)
def test_a_truncated_telegram_is_refused(name):
    raw = data(name)
    for cut in (1, len(raw) // 3, len(raw) // 2, len(raw) - 20):
        with pytest.raises(jma.TelegramError):
            jma.read(raw[:cut])


@pytest.mark.parametrize("raw, reason", [
    (b"", "empty"),
    (b"not xml at all", "not well-formed"),
    ("地震です".encode("shift_jis"), "not well-formed"),
    (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>', "forbidden"),
    (b"<Report><Control/></Report>", "not a JMA telegram"),
    (b'<Report xmlns="http://xml.kishou.go.jp/jmaxml1/"><Control/></Report>', "no Control or Head"),
])
def test_what_is_not_a_telegram_is_refused_with_a_reason(raw, reason):
    with pytest.raises(jma.TelegramError, match=reason):
        jma.read(raw)


def test_a_test_status_and_an_unknown_status_are_told_apart():
    assert jma.read(data(IWATE).replace("<Status>通常".encode(), "<Status>試験".encode())).status == "試験"
    with pytest.raises(jma.TelegramError, match="unknown Status"):
        jma.read(data(IWATE).replace("<Status>通常".encode(), "<Status>その他".encode()))


def test_another_kind_of_telegram_is_refused_as_unknown():
    raw = data(IWATE).replace("<Title>震源・震度に関する情報</Title>".encode(), "<Title>津波警報・注意報・予報a</Title>".encode())
    with pytest.raises(jma.TelegramError, match="unknown telegram"):
        jma.read(raw)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_no_bytes_make_the_reader_raise_anything_but_a_refusal(raw):
    try:
        jma.read(raw)
    except jma.TelegramError:
        pass


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=2000), st.binary(min_size=1, max_size=8))
def test_damaged_samples_never_raise_anything_but_a_refusal(position, junk):
    raw = bytearray(data(IWATE_CANCEL))
    raw[position % len(raw):position % len(raw) + len(junk)] = junk
    try:
        jma.read(bytes(raw))
    except jma.TelegramError:
        pass
