"""Where uploaded media lives: a directory (local disk or a volume every web machine mounts) or an
S3-compatible bucket, behind one small interface. Free of Flask, like ejan/media.py that uses it.

EJAN_MEDIA_DIR names the place: a path (the default, under instance/), or `s3://bucket/prefix` for
a bucket (boto3, the optional `s3` extra: `pip install ".[s3]"`; endpoint and keys from
EJAN_S3_ENDPOINT_URL and boto3's usual AWS_* variables, so MinIO or a city's own store work too).
Names are relative, `/`-separated (`ab/abc…/pc.jpg`); the media module decides them.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Protocol


class MediaStore(Protocol):
    def write(self, name: str, data: bytes) -> None:
        """Store data under name; a reader never sees half of it."""

    def read(self, name: str) -> bytes:
        """The bytes under name; FileNotFoundError if there are none."""

    def exists(self, name: str) -> bool: ...

    def delete_tree(self, prefix: str) -> None:
        """Remove everything under prefix/; removing what is already gone is fine."""

    def local_path(self, name: str) -> Path | None:
        """A file on this machine holding name (for send_file and nginx), or None."""

    def names(self) -> Iterator[str]:
        """Every stored name (for backups), in no particular order."""


class LocalStore:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def write(self, name: str, data: bytes) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        # Beside it, then renamed over: readers never see a half-written file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise

    def read(self, name: str) -> bytes:
        return (self.root / name).read_bytes()

    def exists(self, name: str) -> bool:
        return (self.root / name).is_file()

    def delete_tree(self, prefix: str) -> None:
        directory = self.root / prefix
        shutil.rmtree(directory, ignore_errors=True)
        try:
            directory.parent.rmdir()  # the shard directory, only if now empty
        except OSError:
            pass

    def local_path(self, name: str) -> Path | None:
        path = self.root / name
        return path if path.is_file() else None

    def names(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in self.root.rglob("*"):
            if path.is_file() and not path.name.startswith("."):  # not a write still in progress
                yield path.relative_to(self.root).as_posix()


class S3Store:
    """An S3-compatible bucket; `client` is a boto3 S3 client (or anything with its four calls)."""

    def __init__(self, bucket: str, prefix: str = "", client=None):
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.client = client or _boto3_client()

    def _key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def write(self, name: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(name), Body=data)  # atomic in S3

    def read(self, name: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(name))["Body"].read()
        except Exception as exc:
            if _missing(exc):
                raise FileNotFoundError(name) from exc
            raise

    def exists(self, name: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(name))
        except Exception as exc:
            if _missing(exc):
                return False
            raise
        return True

    def delete_tree(self, prefix: str) -> None:
        listed = self.client.list_objects_v2(Bucket=self.bucket, Prefix=self._key(prefix.rstrip("/") + "/"))
        keys = [{"Key": item["Key"]} for item in listed.get("Contents", [])]
        if keys:
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys})

    def local_path(self, name: str) -> Path | None:
        return None

    def names(self) -> Iterator[str]:
        start = self._key("")
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start):
            for item in page.get("Contents", []):
                yield item["Key"][len(start):]


def _missing(exc: Exception) -> bool:
    code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")


def _boto3_client():
    try:
        import boto3
    except ImportError as exc:  # the optional extra
        raise RuntimeError('EJAN_MEDIA_DIR is an s3:// address: install the s3 extra (pip install ".[s3]")') from exc
    return boto3.client("s3", endpoint_url=os.environ.get("EJAN_S3_ENDPOINT_URL") or None)


@lru_cache(maxsize=8)
def _store_for(location: str) -> MediaStore:
    if location.startswith("s3://"):
        bucket, _, prefix = location[len("s3://"):].partition("/")
        return S3Store(bucket, prefix)
    return LocalStore(location)


def store_at(location: str | Path | MediaStore) -> MediaStore:
    """The store a setting names (a path or s3://bucket/prefix); a store is returned as it is."""
    if isinstance(location, (str, Path)):
        return _store_for(str(location))
    return location
