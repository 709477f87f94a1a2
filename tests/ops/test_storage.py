"""Media behind one store: a directory by default, an S3-compatible bucket when configured."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from ejan import media
from ejan.errors import NotFound
from ejan.storage import LocalStore, S3Store, store_at


class FakeS3:
    """The four calls S3Store makes, on a dict (boto3 is an optional extra, not needed in tests)."""

    class Missing(Exception):
        response = {"Error": {"Code": "404"}}

    def __init__(self):
        self.objects = {}

    def put_object(self, Bucket, Key, Body):
        self.objects[(Bucket, Key)] = bytes(Body)

    def get_object(self, Bucket, Key):
        if (Bucket, Key) not in self.objects:
            raise self.Missing()
        return {"Body": io.BytesIO(self.objects[(Bucket, Key)])}

    def head_object(self, Bucket, Key):
        if (Bucket, Key) not in self.objects:
            raise self.Missing()

    def list_objects_v2(self, Bucket, Prefix):
        return {"Contents": [{"Key": k} for b, k in self.objects if b == Bucket and k.startswith(Prefix)]}

    def delete_objects(self, Bucket, Delete):
        for item in Delete["Objects"]:
            self.objects.pop((Bucket, item["Key"]), None)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), "green").save(out, "JPEG")
    return out.getvalue()


def test_the_default_is_a_directory(app):
    assert isinstance(store_at(app.config["EJAN_MEDIA_DIR"]), LocalStore)


def test_an_image_round_trips_through_a_bucket():
    client = FakeS3()
    store = S3Store("ejan-media", "prod", client=client)
    stored = media.store_image(jpeg(), store)
    name, mimetype = media.find_variant(store, stored.key, "keitai")
    assert mimetype == "image/jpeg" and ("ejan-media", f"prod/{name}") in client.objects
    assert Image.open(io.BytesIO(store.read(name))).size == (240, 180)
    media.delete_image(store, stored.key)
    assert client.objects == {}
    with pytest.raises(NotFound):
        media.find_variant(store, stored.key, "pc")


def test_images_are_served_from_a_bucket(app, monkeypatch):
    from ejan.images import send_image

    store = S3Store("b", client=FakeS3())
    key = media.store_image(jpeg(), store).key
    monkeypatch.setitem(app.config, "EJAN_MEDIA_DIR", store)
    with app.test_request_context("/"):
        response = send_image(key, "pc")
    assert response.mimetype == "image/jpeg" and response.get_data()[:2] == b"\xff\xd8"
    assert response.cache_control.private and not response.cache_control.public


def test_nginx_sends_the_file_when_asked(app, monkeypatch, tmp_path):
    from ejan.images import send_image

    key = media.store_image(jpeg(), tmp_path).key
    monkeypatch.setitem(app.config, "EJAN_MEDIA_DIR", str(tmp_path))
    monkeypatch.setitem(app.config, "EJAN_MEDIA_ACCEL", "/_media/")
    with app.test_request_context("/"):
        response = send_image(key, "keitai")
    assert response.headers["X-Accel-Redirect"] == f"/_media/{key[:2]}/{key}/keitai.jpg"
    assert response.get_data() == b"" and response.cache_control.private
