"""Where the bytes of attachments are kept, behind one small interface: the data directory by
default, S3-compatible object storage when configured (``attachment_store = "s3"``).

A key is the platform's own (``schools/<id>/<random hex>``), never a client's file name, and
is checked against :data:`KEY` before any store touches it. Stores only add and read: an
attachment is evidence, and nothing here deletes one. Whether the bytes read are the bytes
stored is the service's check (the SHA-256 kept on the row), not the store's.

The S3 store drives boto3 (synchronous) in worker threads: a client is thread-safe and made
once per configuration.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

__all__ = ["KEY", "BlobMissing", "BlobStore", "FilesystemStore", "S3Store", "new_key", "store_for"]

#: What a storage key may look like: no dots, no absolute paths, nothing a client chose.
KEY = re.compile(r"schools/[0-9]{1,18}/[0-9a-f]{32}")


class BlobMissing(Exception):
    """The store has no bytes under the key."""


class BlobStore(Protocol):
    name: str

    async def put(self, key: str, source: Path) -> None:
        """Store the file at ``source`` under ``key``."""
        ...

    async def get(self, key: str, target: Path) -> None:
        """Copy the bytes under ``key`` into the file ``target``; BlobMissing if none."""
        ...


def new_key(school_id: int) -> str:
    return f"schools/{school_id}/{secrets.token_hex(16)}"


def _checked(key: str) -> str:
    if not KEY.fullmatch(key):
        raise ValueError("not a storage key")
    return key


class FilesystemStore:
    """Files under ``root``, one per key; written to a temporary file beside, then renamed, so
    a reader never sees half a file."""

    name = "filesystem"

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, key: str) -> Path:
        return self.root / _checked(key)

    async def put(self, key: str, source: Path) -> None:
        await asyncio.to_thread(self._put, self.path_of(key), source)

    @staticmethod
    def _put(path: Path, source: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as target, source.open("rb") as data:
                while chunk := data.read(1024 * 1024):
                    target.write(chunk)
                target.flush()
                os.fsync(target.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    async def get(self, key: str, target: Path) -> None:
        await asyncio.to_thread(self._get, self.path_of(key), target)

    @staticmethod
    def _get(path: Path, target: Path) -> None:
        try:
            source = path.open("rb")
        except FileNotFoundError:
            raise BlobMissing(str(path.name)) from None
        with source, target.open("wb") as out:
            while chunk := source.read(1024 * 1024):
                out.write(chunk)


class S3Store:
    """Objects in one bucket of an S3-compatible service."""

    name = "s3"

    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    async def put(self, key: str, source: Path) -> None:
        await asyncio.to_thread(self.client.upload_file, str(source), self.bucket, _checked(key))

    async def get(self, key: str, target: Path) -> None:
        await asyncio.to_thread(self._get, _checked(key), target)

    def _get(self, key: str, target: Path) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.download_file(self.bucket, key, str(target))
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in ("404", "NoSuchKey", "NotFound"):
                raise BlobMissing(key) from None
            raise


class StoreSettings(Protocol):
    """What the stores read of the server's settings (``server.settings.Settings``)."""

    attachment_store: str
    attachment_dir: Path | None
    data_dir: Path
    s3_endpoint_url: str | None
    s3_bucket: str | None
    s3_region: str
    s3_access_key_id: Any
    s3_secret_access_key: Any


def _secret(value: Any) -> str | None:
    return None if value is None else getattr(value, "get_secret_value", lambda: value)()


def store_for(settings: StoreSettings) -> BlobStore:
    """The store the settings configure (one per distinct configuration)."""
    if settings.attachment_store == "s3":
        return _s3(
            settings.s3_endpoint_url,
            str(settings.s3_bucket),
            settings.s3_region,
            _secret(settings.s3_access_key_id),
            _secret(settings.s3_secret_access_key),
        )
    return FilesystemStore(settings.attachment_dir or settings.data_dir / "attachments")


@lru_cache(maxsize=8)
def _s3(
    endpoint: str | None, bucket: str, region: str, key_id: str | None, secret: str | None
) -> S3Store:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
    )
    return S3Store(client, bucket)
