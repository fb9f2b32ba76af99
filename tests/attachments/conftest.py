"""The attachment tests run on both stores: ``stored`` is parametrized over the data directory
and a real S3-compatible server (moto in server mode, over HTTP on a free local port)."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from support_attachments import LIMIT, free_port

from partyplan.resolvers.attachments.storage import BlobStore, FilesystemStore, S3Store, store_for

BUCKET = "partyplan-attachments"
CREDENTIALS = {"s3_access_key_id": "testing", "s3_secret_access_key": "testing"}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ).create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        server.stop()


@dataclass
class Stored:
    kind: str
    http: Any
    store: BlobStore

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    def tamper(self, key: str, data: bytes) -> None:
        """Overwrite the stored bytes behind the platform's back."""
        if isinstance(self.store, FilesystemStore):
            self.store.path_of(key).write_bytes(data)
        else:
            assert isinstance(self.store, S3Store)
            self.store.client.put_object(Bucket=self.store.bucket, Key=key, Body=data)

    def stored_bytes(self, key: str) -> bytes:
        if isinstance(self.store, FilesystemStore):
            return self.store.path_of(key).read_bytes()
        assert isinstance(self.store, S3Store)
        return self.store.client.get_object(Bucket=self.store.bucket, Key=key)["Body"].read()


@pytest.fixture(params=["filesystem", "s3"])
async def stored(request: pytest.FixtureRequest, open_app: Any) -> AsyncIterator[Stored]:
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        app, http = await open_app(
            attachment_store="s3",
            s3_endpoint_url=endpoint,
            s3_bucket=BUCKET,
            attachment_max_bytes=LIMIT,
            **CREDENTIALS,
        )
    else:
        directory = Path(tempfile.mkdtemp(prefix="pp-attachments-"))
        app, http = await open_app(attachment_dir=directory, attachment_max_bytes=LIMIT)
    yield Stored(request.param, http, store_for(app.state.platform.settings))
