"""Uploaded images: every one is decoded and re-encoded by Pillow here, never served as sent.

Re-encoding is the point: it strips EXIF (GPS position of a resident's home), ICC and any
payload smuggled after the image data, and it gives old phones a small baseline JPEG.
Works on plain bytes / binary streams and a directory, so it knows nothing about Flask.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask_babel import gettext as _  # outside a request it returns the Japanese as it is
from PIL import Image, ImageFile, ImageOps

from ejan.errors import Invalid, NotFound

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
VARIANTS = {"pc": 640, "keitai": 240}  # longest side in px

# Pillow's own bomb check then fires at the same limit as ours (warning above it,
# DecompressionBombError above twice it); both become Invalid below.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# Only decoders we need are ever tried: the less parser surface exposed to uploads the better.
# MPO is what cameras' JPEGs with embedded previews open as.
_OPEN_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
_ACCEPTED = {"JPEG", "MPO", "PNG", "GIF", "WEBP"}
_KEY_RE = re.compile(r"[A-Za-z0-9_-]{22}")  # secrets.token_urlsafe(16)
_MIMETYPES = {"jpg": "image/jpeg", "png": "image/png"}
_BACKGROUND = (255, 255, 255)



def N_(message: str) -> str:
    """Marks a message for the catalogues (pybabel -k N_); it is translated where it is raised."""
    return message


NOT_AN_IMAGE = N_("画像ファイルではありません。JPEG・PNG・GIF の画像を選んでください。")
TOO_MANY_BYTES = N_("画像が大きすぎます（10MB まで）。")
TOO_MANY_PIXELS = N_("画像の縦横が大きすぎます。")
BROKEN = N_("画像ファイルが壊れています。")


@dataclass(frozen=True)
class StoredImage:
    key: str  # url-safe, used in URLs
    width: int  # of the pc variant
    height: int


def store_image(stream: BinaryIO | bytes, media_dir: str | Path) -> StoredImage:
    """Validate an upload and write its variants under media_dir; Invalid if refused."""
    if isinstance(stream, (bytes, bytearray, memoryview)):
        data = bytes(stream)
    else:
        data = stream.read(MAX_BYTES + 1)  # never more: the rest is not worth reading
    if len(data) > MAX_BYTES:
        raise Invalid(_(TOO_MANY_BYTES))
    if not data:
        raise Invalid(_(NOT_AN_IMAGE))

    image, source_format = _decode(data)
    alpha = _has_alpha(image)
    rgba = image.convert("RGBA") if alpha else None
    rgb = _on_background(rgba) if rgba is not None else image.convert("RGB")
    # Transparency survives only where it is likely meant (logos, drawings); photos become JPEG.
    keep_png = alpha and source_format == "PNG"

    key = secrets.token_urlsafe(16)
    target = _image_dir(media_dir, key)
    target.mkdir(parents=True)
    try:
        pc = _variant(rgba if keep_png else rgb, VARIANTS["pc"])
        _write(pc, target / ("pc.png" if keep_png else "pc.jpg"))
        # Old phones: always a small baseline (non-progressive) JPEG.
        _write(_variant(rgb, VARIANTS["keitai"]), target / "keitai.jpg")
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return StoredImage(key=key, width=pc.width, height=pc.height)


def image_file(media_dir: str | Path, key: str, variant: str) -> tuple[Path, str]:
    """(path, mimetype) of a stored variant; NotFound otherwise, malformed keys included."""
    if variant not in VARIANTS:
        raise NotFound(_("画像が見つかりません。"))
    directory = _image_dir(media_dir, key)
    for ext, mimetype in _MIMETYPES.items():
        path = directory / f"{variant}.{ext}"
        if path.is_file():
            return path, mimetype
    raise NotFound(_("画像が見つかりません。"))


def variant_mimetype(media_dir: str | Path, key: str, variant: str) -> str:
    """Mimetype of a stored variant (the pc one may be PNG or JPEG; keitai is always JPEG)."""
    return image_file(media_dir, key, variant)[1]


def delete_image(media_dir: str | Path, key: str) -> None:
    """Remove all variants of an image; deleting one that is already gone is fine."""
    directory = _image_dir(media_dir, key)
    shutil.rmtree(directory, ignore_errors=True)
    try:
        directory.parent.rmdir()  # the shard directory, only if now empty
    except OSError:
        pass


def _decode(data: bytes) -> tuple[Image.Image, str]:
    """Fully decoded, upright first frame and its source format; Invalid if refused."""
    # Pillow raises a zoo of exception types on hostile input (OSError, SyntaxError,
    # struct.error, ValueError, ...); for a resident they all mean "broken file".
    try:
        # catch_warnings is process-wide; the only filter it can leak to other threads is
        # this very one, which is what we want anyway.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.open(io.BytesIO(data), formats=_OPEN_FORMATS).verify()
            # verify() leaves the image unusable, hence a second open.
            image = Image.open(io.BytesIO(data), formats=_OPEN_FORMATS)
    except Image.UnidentifiedImageError as exc:
        raise Invalid(_(NOT_AN_IMAGE)) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Invalid(_(TOO_MANY_PIXELS)) from exc
    except Exception as exc:
        raise Invalid(_(BROKEN)) from exc
    if image.format not in _ACCEPTED:
        raise Invalid(_(NOT_AN_IMAGE))
    # Header sizes are checked before any pixel is decoded: this is the bomb guard.
    if image.width * image.height > MAX_PIXELS:
        raise Invalid(_(TOO_MANY_PIXELS))
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # With it set, Pillow silently pads a truncated file with grey instead of failing.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False")
    # JPEG can decode at 1/2..1/8 scale; keeps big camera photos cheap. Both sides stay
    # at least as large as the biggest variant, whatever the EXIF orientation.
    image.draft(None, (max(VARIANTS.values()),) * 2)
    try:
        image.load()  # GIF and animated WEBP: the first frame
        return ImageOps.exif_transpose(image), image.format
    except Exception as exc:
        raise Invalid(_(BROKEN)) from exc


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def _on_background(rgba: Image.Image) -> Image.Image:
    flat = Image.new("RGB", rgba.size, _BACKGROUND)
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat


def _variant(source: Image.Image, longest: int) -> Image.Image:
    resized = source.copy()
    resized.thumbnail((longest, longest), Image.Resampling.LANCZOS)  # never enlarges
    # A fresh image has an empty info dict, so no EXIF, ICC, comment or text chunk reaches
    # the file (PNG saving would otherwise copy ICC and EXIF from it).
    clean = Image.new(resized.mode, resized.size)
    clean.paste(resized)
    return clean


def _write(image: Image.Image, path: Path) -> None:
    # Readers must never see a half-written file: write beside it, then rename over.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            if path.suffix == ".png":
                image.save(out, "PNG", optimize=True)
            else:
                image.save(out, "JPEG", quality=85, progressive=False)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _image_dir(media_dir: str | Path, key: str) -> Path:
    # The key ends up in a filesystem path: anything but our own exact format is unknown.
    if not isinstance(key, str) or not _KEY_RE.fullmatch(key):
        raise NotFound(_("画像が見つかりません。"))
    return Path(media_dir) / key[:2] / key


def gps_position(data: bytes) -> tuple[float, float] | None:
    """The (lat, lon) a camera wrote into the EXIF of an upload, before store_image strips it; None
    when there is none or it cannot be read (a damage report then asks for the place instead)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=_OPEN_FORMATS)
            gps = image.getexif().get_ifd(0x8825)  # the GPS IFD
        lat = _degrees(gps.get(2), gps.get(1))
        lon = _degrees(gps.get(4), gps.get(3))
    except Exception:  # a broken or hostile EXIF block is just "no position"
        return None
    return (lat, lon) if lat is not None and lon is not None else None


def _degrees(value, ref) -> float | None:
    if not value or len(value) != 3:
        return None
    degrees = float(value[0]) + float(value[1]) / 60 + float(value[2]) / 3600
    return -degrees if ref in ("S", "W", b"S", b"W") else degrees
