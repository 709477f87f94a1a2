"""Reading a report mailed from a phone: plain bytes in, sender, subject, text and photos out. No Flask.

Japanese phones write mail their own way, and a disaster is no time to refuse one:
- ISO-2022-JP with the carriers' (and Windows') extra characters — ①, ㈱, Ⅲ, NEC row 13 — that the
  strict codec rejects: tried strictly first, then as ISO-2022-JP-2004 and -EXT, then through
  cp932 (what Microsoft calls CP50220), which never fails;
- parts labelled Shift_JIS decoded as cp932 (strict Shift_JIS turns ① into U+FFFD);
- subjects as RFC 2047 encoded words, or as raw 8-bit Shift_JIS/UTF-8 from older phones;
- photos as base64 JPEG attachments, or inline parts of a デコメール.
Whatever cannot be decoded becomes U+FFFD; the reader never raises on a message's content.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses
from html import unescape

PHOTO_TYPES = ("image/jpeg", "image/jpg", "image/pjpeg")  # what phones' cameras write
_SJIS_LABELS = {"shift_jis", "shift-jis", "sjis", "x-sjis", "s-jis", "shift_jis-2004", "ms_kanji", "csshiftjis",
                "windows-31j", "cp932", "x-ms-cp932"}
_JIS_LABELS = {"iso-2022-jp", "iso2022jp", "iso-2022-jp-1", "iso-2022-jp-2", "iso-2022-jp-3", "csiso2022jp",
               "iso-2022-jp-ms", "cp50220", "cp50221", "cp50222"}
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<\s*(br|/p|/div)\b[^>]*>", re.IGNORECASE)
_DROP = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Photo:
    data: bytes
    content_type: str


@dataclass
class ReportMail:
    sender: str | None  # the From: address, lower-cased (it can be forged: see the receiver)
    subject: str
    text: str
    photos: list[Photo] = field(default_factory=list)
    oversized: list[int] = field(default_factory=list)  # sizes of photos refused for their size


def read(raw: bytes, *, max_photo_bytes: int) -> ReportMail:
    message = message_from_bytes(raw, policy=policy.compat32)
    mail = ReportMail(sender=sender_of(message), subject=header_text(_raw_header_value(message, "Subject")), text="")
    plain, html = [], []
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        if content_type in PHOTO_TYPES or (content_type == "application/octet-stream" and _looks_like_jpeg(part)):
            data = _payload(part)
            if not data:
                continue
            if len(data) > max_photo_bytes:
                mail.oversized.append(len(data))
            else:
                mail.photos.append(Photo(data, "image/jpeg"))
        elif content_type == "text/plain" and disposition != "attachment":
            plain.append(decode_text(_payload(part), part.get_content_charset()))
        elif content_type == "text/html" and disposition != "attachment":
            html.append(html_to_text(decode_text(_payload(part), part.get_content_charset())))
    mail.text = "\n".join(t.strip() for t in (plain or html) if t.strip())
    return mail


def _raw_header_value(message: Message, name: str) -> str | None:
    """A header as it came (8-bit bytes kept as surrogates): compat32's get() would turn them into U+FFFD."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return value
    return None


def sender_of(message: Message) -> str | None:
    value = _raw_header_value(message, "From") or ""
    value = value.encode("utf-8", "surrogateescape").decode("ascii", "replace")  # a name in 8-bit: the address is ASCII
    addresses = [address for _name, address in getaddresses([value]) if "@" in address]
    return addresses[0].strip().lower() if addresses else None


def decode_text(data: bytes, charset: str | None) -> str:
    """Bytes of a text part in the charset its label names, the carriers' quirks allowed for."""
    label = (charset or "").strip().strip('"').lower()
    if label in _SJIS_LABELS:
        return data.decode("cp932", "replace")
    if label in _JIS_LABELS or (not label and b"\x1b$" in data):
        return decode_iso2022jp(data)
    if label in ("", "us-ascii", "ascii"):
        return _guess(data)
    try:
        return data.decode(label, "replace")
    except LookupError:  # a label Python does not know
        return _guess(data)


def decode_iso2022jp(data: bytes) -> str:
    for codec in ("iso2022_jp", "iso2022_jp_2004", "iso2022_jp_ext"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return _iso2022jp_via_cp932(data)


def header_text(value) -> str:
    """A header as text: encoded words decoded tolerantly, raw 8-bit bytes guessed (UTF-8, else cp932)."""
    if value is None:
        return ""
    text = str(value)
    try:
        chunks = decode_header(text)
    except Exception:  # a broken encoded word: keep the header as it came
        chunks = [(text, None)]
    out = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            out.append(_raw_header(chunk))
        else:
            out.append(decode_text(chunk, charset) if charset else _raw_header(chunk.decode("ascii", "surrogateescape")))
    return " ".join(part.strip() for part in out if part.strip()) if len(out) > 1 else "".join(out).strip()


def html_to_text(html: str) -> str:
    html = _DROP.sub("", html)
    return unescape(_TAG.sub("", _BREAK.sub("\n", html)))


# --- the pieces ------------------------------------------------------------------------------------------

def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # a broken transfer encoding: treat as empty rather than refuse the mail
        return b""
    return data if isinstance(data, bytes) else b""


def _looks_like_jpeg(part: Message) -> bool:
    name = (part.get_filename() or "").lower()
    return name.endswith((".jpg", ".jpeg"))


def _raw_header(text: str) -> str:
    """The email package keeps 8-bit header bytes as surrogates: recover and decode them."""
    data = text.encode("utf-8", "surrogateescape")
    return _guess(data) if any(byte >= 0x80 for byte in data) or b"\x1b$" in data else text


def _guess(data: bytes) -> str:
    if b"\x1b$" in data or b"\x1b(" in data:
        return decode_iso2022jp(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp932", "replace")


def _iso2022jp_via_cp932(data: bytes) -> str:
    """ISO-2022-JP read the way Windows and the carriers write it (CP50220): every JIS X 0208 pair is
    moved to its Shift_JIS code and decoded as cp932, which has NEC's row 13 (①, ㈱, ㍻) and IBM's
    extensions. Unknown escapes and stray bytes become U+FFFD; nothing raises."""
    out: list[str] = []
    mode = "ascii"
    i, n = 0, len(data)
    while i < n:
        byte = data[i]
        if byte == 0x1B:
            sequence = data[i + 1:i + 3]
            if sequence in (b"(B", b"(J"):
                mode, i = "ascii", i + 3
            elif sequence in (b"$@", b"$B"):
                mode, i = "jis", i + 3
            elif sequence == b"(I":
                mode, i = "kana", i + 3
            elif data[i + 1:i + 4] in (b"$(D", b"$(Q", b"$(O"):  # JIS X 0212/0213: not in cp932
                mode, i = "unknown", i + 4
            else:
                out.append("\ufffd")
                i += 1
            continue
        if byte in (0x0A, 0x0D):  # a line break resets nothing in ISO-2022-JP, but is always itself
            out.append(chr(byte))
            i += 1
        elif byte == 0x0E:  # SO: half-width katakana until SI (CP50221)
            mode, i = "kana", i + 1
        elif byte == 0x0F:
            mode, i = "ascii", i + 1
        elif mode == "jis" and 0x21 <= byte <= 0x7E and i + 1 < n and 0x21 <= data[i + 1] <= 0x7E:
            out.append(_jis_pair_to_sjis(byte, data[i + 1]).decode("cp932", "replace"))
            i += 2
        elif mode == "kana" and 0x21 <= byte <= 0x5F:
            out.append(bytes([byte + 0x80]).decode("cp932", "replace"))
            i += 1
        elif mode in ("jis", "unknown") and 0x21 <= byte <= 0x7E:
            out.append("\ufffd")
            i += 2 if mode == "unknown" else 1
        else:
            out.append(chr(byte) if byte < 0x80 else "\ufffd")
            i += 1
    return "".join(out)


def _jis_pair_to_sjis(first: int, second: int) -> bytes:
    lead = (first + 1) // 2 + (0x70 if first <= 0x5E else 0xB0)
    trail = second + (0x1F if first % 2 else 0x7E)
    if first % 2 and trail >= 0x7F:
        trail += 1
    return bytes([lead, trail])
