import io
import struct
import zlib

import pytest
from PIL import ExifTags, Image, ImageFile

from ejan import media
from ejan.errors import Invalid, NotFound


def encode(image, fmt, **params):
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def noise(size):
    # Noise does not compress, so a truncated file really lacks pixel data.
    return Image.effect_noise(size, 64).convert("RGB")


def png_header_only(width, height):
    """A well-formed PNG claiming width x height, whose pixel data would never decode."""

    def chunk(kind, body):
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    chunks = chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"junk") + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def stored(tmp_path, result, variant):
    path, mimetype = media.image_file(tmp_path, result.key, variant)
    return Image.open(io.BytesIO(path.read_bytes())), mimetype


def test_jpeg_is_stored_as_both_variants(tmp_path):
    result = media.store_image(io.BytesIO(encode(noise((1600, 1200)), "JPEG")), tmp_path)

    pc, pc_type = stored(tmp_path, result, "pc")
    keitai, keitai_type = stored(tmp_path, result, "keitai")
    assert (pc.format, pc_type, pc.size) == ("JPEG", "image/jpeg", (640, 480))
    assert (result.width, result.height) == (640, 480)
    assert (keitai.format, keitai_type, keitai.size) == ("JPEG", "image/jpeg", (240, 180))
    assert media.variant_mimetype(tmp_path, result.key, "keitai") == "image/jpeg"
    # Only the finished files remain: no temporary leftovers.
    directory = media.image_file(tmp_path, result.key, "pc")[0].parent
    assert sorted(p.name for p in directory.iterdir()) == ["keitai.jpg", "pc.jpg"]


def test_png_with_transparency_keeps_png_for_pc_but_keitai_gets_jpeg(tmp_path):
    image = Image.new("RGBA", (1000, 500), (0, 0, 0, 0))
    image.paste((200, 0, 0, 255), (0, 0, 500, 500))
    result = media.store_image(encode(image, "PNG"), tmp_path)

    pc, pc_type = stored(tmp_path, result, "pc")
    keitai, keitai_type = stored(tmp_path, result, "keitai")
    assert (pc.format, pc_type, pc.mode, pc.size) == ("PNG", "image/png", "RGBA", (640, 320))
    assert pc.getpixel((600, 100))[3] == 0
    assert (keitai.format, keitai_type, keitai.size) == ("JPEG", "image/jpeg", (240, 120))
    assert keitai.getpixel((230, 60)) >= (250, 250, 250)  # transparency flattened onto white


def test_opaque_png_becomes_jpeg(tmp_path):
    result = media.store_image(encode(Image.new("RGB", (300, 200), "green"), "PNG"), tmp_path)
    assert stored(tmp_path, result, "pc")[0].format == "JPEG"


def test_gif_and_webp_accepted(tmp_path):
    for fmt in ("GIF", "WEBP"):
        result = media.store_image(encode(Image.new("RGB", (100, 50), "blue"), fmt), tmp_path)
        assert (result.width, result.height) == (100, 50)


def test_small_image_is_not_upscaled(tmp_path):
    result = media.store_image(encode(Image.new("RGB", (120, 80), "white"), "JPEG"), tmp_path)
    assert (result.width, result.height) == (120, 80)
    assert stored(tmp_path, result, "keitai")[0].size == (120, 80)


@pytest.mark.parametrize(
    "data",
    [b"", "これは画像ではありません。\n".encode(), b"GIF89a", encode(Image.new("RGB", (10, 10)), "BMP")],
    ids=["empty", "text", "gif-magic-only", "bmp"],
)
def test_non_images_refused(tmp_path, data):
    with pytest.raises(Invalid) as caught:
        media.store_image(data, tmp_path)
    assert caught.value.message in (media.NOT_AN_IMAGE, media.BROKEN)
    assert not any(tmp_path.iterdir())


def test_text_file_gets_the_not_an_image_message(tmp_path):
    with pytest.raises(Invalid, match="画像ファイルではありません"):
        media.store_image(io.BytesIO(b"hello, world\n" * 100), tmp_path)


def test_truncated_jpeg_refused(tmp_path):
    data = encode(noise((800, 600)), "JPEG")
    with pytest.raises(Invalid, match="壊れています"):
        media.store_image(data[: len(data) // 2], tmp_path)
    assert not any(tmp_path.iterdir())


def test_load_truncated_images_flag_is_not_relied_upon(tmp_path, monkeypatch):
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    data = encode(noise((800, 600)), "JPEG")
    with pytest.raises(RuntimeError):
        media.store_image(data[: len(data) // 2], tmp_path)


def test_huge_dimensions_refused(tmp_path):
    with pytest.raises(Invalid, match="縦横が大きすぎます"):
        media.store_image(png_header_only(20000, 20000), tmp_path)


def test_own_pixel_guard_rejects_before_decoding(tmp_path, monkeypatch):
    # Even without Pillow's own check, nothing is decoded: load() must never be reached.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)

    def no_decoding(self):
        raise AssertionError("decoded a decompression bomb")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(Invalid, match="縦横が大きすぎます"):
        media.store_image(png_header_only(20000, 20000), tmp_path)
    with pytest.raises(Invalid, match="縦横が大きすぎます"):
        media.store_image(png_header_only(7000, 7000), tmp_path)  # between 1x and 2x the limit


def test_too_many_bytes_refused(tmp_path):
    padded = encode(Image.new("RGB", (10, 10)), "PNG").ljust(media.MAX_BYTES + 1, b"\0")
    for data in (padded, io.BytesIO(padded)):
        with pytest.raises(Invalid, match="10MB"):
            media.store_image(data, tmp_path)


def test_exif_gps_and_icc_are_dropped(tmp_path):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "KakegawaCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (34.0, 46.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (138.0, 0.0, 52.0)
    data = encode(noise((800, 600)), "JPEG", exif=exif, icc_profile=b"not-really-icc")

    sent = Image.open(io.BytesIO(data))
    assert sent.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
    assert "icc_profile" in sent.info

    result = media.store_image(data, tmp_path)
    for variant in media.VARIANTS:
        path, _ = media.image_file(tmp_path, result.key, variant)
        kept = Image.open(io.BytesIO(path.read_bytes()))
        assert not kept.getexif()
        assert not kept.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert "exif" not in kept.info and "icc_profile" not in kept.info
        raw = path.read_bytes()
        assert b"Exif" not in raw and b"KakegawaCam" not in raw


def test_exif_orientation_applied(tmp_path):
    image = Image.new("RGB", (400, 200), (255, 0, 0))
    image.paste((0, 0, 255), (200, 0, 400, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # shown rotated 90° clockwise: left half ends up on top
    result = media.store_image(encode(image, "JPEG", exif=exif), tmp_path)

    pc, _ = stored(tmp_path, result, "pc")
    assert pc.size == (200, 400) == (result.width, result.height)
    red, _, blue = pc.getpixel((100, 50))
    assert red > 200 and blue < 50
    red, _, blue = pc.getpixel((100, 350))
    assert red < 50 and blue > 200
    assert ExifTags.Base.Orientation not in pc.getexif()


@pytest.mark.parametrize(
    "key",
    [
        "../etc/passwd",
        "",
        "..",
        "A" * 21,
        "A" * 23,
        "AAAAAAAAA/../AAAAAAAAA",
        "AAAAAAAAAAAAAAAAAAAA..",
        None,
    ],
)
def test_image_file_rejects_bad_keys(tmp_path, key):
    with pytest.raises(NotFound):
        media.image_file(tmp_path, key, "pc")


def test_image_file_rejects_unknown_variants_and_absent_images(tmp_path):
    result = media.store_image(encode(Image.new("RGB", (50, 50)), "JPEG"), tmp_path)
    for variant in ("original", "../pc", "pc.jpg", ""):
        with pytest.raises(NotFound):
            media.image_file(tmp_path, result.key, variant)
    with pytest.raises(NotFound):
        media.image_file(tmp_path, "A" * 22, "pc")


def test_delete_image_removes_files(tmp_path):
    result = media.store_image(encode(Image.new("RGB", (50, 50)), "JPEG"), tmp_path)
    path, _ = media.image_file(tmp_path, result.key, "pc")
    media.delete_image(tmp_path, result.key)
    assert not path.exists() and not path.parent.exists()
    for variant in media.VARIANTS:
        with pytest.raises(NotFound):
            media.image_file(tmp_path, result.key, variant)
    media.delete_image(tmp_path, result.key)  # already gone: fine
    with pytest.raises(NotFound):
        media.delete_image(tmp_path, "../etc/passwd")


def test_png_metadata_dropped_from_png_variant(tmp_path):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "KakegawaCam"
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] = "N"
    image = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    data = encode(image, "PNG", exif=exif, icc_profile=b"not-really-icc")
    sent = Image.open(io.BytesIO(data))
    assert sent.getexif().get_ifd(ExifTags.IFD.GPSInfo) and "icc_profile" in sent.info

    result = media.store_image(data, tmp_path)
    path, mimetype = media.image_file(tmp_path, result.key, "pc")
    kept = Image.open(io.BytesIO(path.read_bytes()))
    kept.load()
    assert mimetype == "image/png"
    assert not kept.getexif() and "icc_profile" not in kept.info and "exif" not in kept.info
    assert b"KakegawaCam" not in path.read_bytes()
