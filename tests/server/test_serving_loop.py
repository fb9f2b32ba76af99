"""``serve`` runs uvicorn on uvloop and httptools (installed with the package) unless the
settings name another loop or parser; one named but missing stops the start in one line."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import uvloop
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from partyplan.server import serving
from partyplan.server.errors import StartupRefused
from partyplan.server.settings import Settings, load_settings


async def _app(scope: Any, receive: Any, send: Any) -> None:  # never called: only loaded
    raise AssertionError("not served")


def _loaded(**settings: Any) -> Any:
    config = serving.uvicorn_config(_app, Settings(**settings), "127.0.0.1", 8000)
    config.load()
    return config


def _loop_of(config: Any) -> asyncio.AbstractEventLoop:
    factory = config.get_loop_factory()
    assert factory is not None
    loop = factory()
    loop.close()
    return loop


def test_serve_runs_on_uvloop_and_httptools_by_default() -> None:
    config = _loaded()
    assert (config.loop, config.http) == ("uvloop", "httptools")
    assert config.http_protocol_class is HttpToolsProtocol
    assert isinstance(_loop_of(config), uvloop.Loop)
    # What serve always set, kept: the lifespan stops the embedded server; our own logging.
    assert (config.lifespan, config.access_log, config.log_config) == ("on", False, None)


def test_the_settings_choose_asyncio_and_h11() -> None:
    config = _loaded(serve_loop="asyncio", serve_http="h11")
    assert config.http_protocol_class is H11Protocol
    loop = _loop_of(config)
    assert not isinstance(loop, uvloop.Loop) and isinstance(loop, asyncio.BaseEventLoop)


def test_auto_falls_back_where_they_are_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serving, "_installed", lambda module: False)
    assert serving.loop_and_http(Settings()) == ("asyncio", "h11")


@pytest.mark.parametrize(
    ("setting", "value"), [("serve_loop", "uvloop"), ("serve_http", "httptools")]
)
def test_one_named_but_missing_stops_the_start(
    monkeypatch: pytest.MonkeyPatch, setting: str, value: str
) -> None:
    monkeypatch.setattr(serving, "_installed", lambda module: False)
    with pytest.raises(StartupRefused, match=f"PARTYPLAN_{setting.upper()}={value}"):
        serving.loop_and_http(Settings(**{setting: value}))


def test_an_unknown_loop_is_refused_by_the_settings() -> None:
    with pytest.raises(StartupRefused, match="SERVE_LOOP"):
        load_settings(serve_loop="trio")
