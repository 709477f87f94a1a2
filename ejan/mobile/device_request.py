"""A request that knows its device, and decodes what a Shift_JIS keitai posts."""
from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import Request
from werkzeug.formparser import FormDataParser, MultiPartParser
from werkzeug.utils import cached_property

from ..cleaning import CleanMultiDict
from .detect import Device, detect


def parse_form_bytes(data: bytes, charset: str, *, links_in_utf8: bool = False) -> list[tuple[str, str]]:
    """application/x-www-form-urlencoded in a legacy charset; undecodable bytes become U+FFFD, never an error.

    With links_in_utf8 (query strings), a value that is valid UTF-8 is read as UTF-8: links we build
    with url_for are UTF-8, while GET forms the phone submits arrive in Shift_JIS.
    """
    def decode(raw: bytes) -> str:
        if links_in_utf8:
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                pass
        return raw.decode(charset, "replace")

    pairs = []
    for field in data.split(b"&"):
        if not field:
            continue
        name, _, value = field.partition(b"=")
        pairs.append(tuple(decode(unquote_to_bytes(part.replace(b"+", b" "))) for part in (name, value)))
    return pairs


class _CharsetMultiPartParser(MultiPartParser):
    def __init__(self, charset: str, **kwargs):
        super().__init__(**kwargs)
        self.charset = charset

    def get_part_charset(self, headers) -> str:
        # Keitai browsers post in the page's charset and never say so in the part headers.
        return self.charset


class CharsetFormDataParser(FormDataParser):
    """Werkzeug's parser assumes UTF-8; i-mode and EZweb post Shift_JIS (cp932)."""

    def __init__(self, charset: str, **kwargs):
        super().__init__(**kwargs)
        self.charset = charset

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        items = parse_form_bytes(stream.read(), self.charset)
        return stream, self.cls(items), self.cls()

    def _parse_multipart(self, stream, mimetype, content_length, options):
        parser = _CharsetMultiPartParser(
            self.charset,
            stream_factory=self.stream_factory,
            max_form_memory_size=self.max_form_memory_size,
            max_form_parts=self.max_form_parts,
            cls=self.cls,
        )
        boundary = options.get("boundary", "").encode("ascii")
        if not boundary:
            raise ValueError("Missing boundary")
        form, files = parser.parse(stream, boundary, content_length)
        return stream, form, files


class DeviceRequest(Request):
    # Every query and form value passes through cleaning.py on its way in, whatever the device.
    parameter_storage_class = CleanMultiDict

    @cached_property
    def device(self) -> Device:
        return detect(self.headers.get("User-Agent"))

    @property
    def form_charset(self) -> str:
        return self.device.encoding

    @cached_property
    def args(self):
        if self.form_charset == "utf-8":
            return super().args
        return self.parameter_storage_class(
            parse_form_bytes(self.query_string, self.form_charset, links_in_utf8=True)
        )

    def make_form_data_parser(self) -> FormDataParser:
        if self.form_charset == "utf-8":
            return super().make_form_data_parser()
        return CharsetFormDataParser(
            self.form_charset,
            stream_factory=self._get_file_stream,
            max_form_memory_size=self.max_form_memory_size,
            max_content_length=self.max_content_length,
            max_form_parts=self.max_form_parts,
            cls=self.parameter_storage_class,
        )
