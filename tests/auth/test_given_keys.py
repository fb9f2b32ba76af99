"""Keys given from outside (a Kubernetes Secret mounted read-only, files 0400/0440 of another
user) are read and never written; production never generates a key; a missing or unreadable key
stops the start in one line; every replica given the same files agrees with the others."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from support_keys import given_key_dir, no_writes

from partyplan.auth.keys import KEY_FILE_NAME as SIGNING_KEY_FILE_NAME
from partyplan.auth.keys import KeyStore, KeyStoreError
from partyplan.resolvers.recruits.pii import KEY_FILE_NAME as PII_KEY_FILE_NAME
from partyplan.resolvers.recruits.pii import PiiCipher, PiiKeyError
from partyplan.server import cli
from partyplan.server.cli_errors import known_error
from partyplan.server.errors import StartupRefused
from partyplan.server.platform import Platform
from partyplan.server.settings import Settings

ID_CONTEXT = "recruit.id_number"
ID_NUMBER = "11010519491231002X"


def production(tmp_path: Path, key_dir: Path, **changes: Any) -> Settings:
    return Settings(
        environment="production", data_dir=tmp_path / "data", key_dir=key_dir, **changes
    )


def refusal(settings: Settings) -> str:
    with pytest.raises(StartupRefused) as info:
        Platform(settings)
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("file_mode", [0o400, 0o440], ids=["0400", "0440"])
def test_a_given_key_directory_is_only_read(tmp_path: Path, file_mode: int) -> None:
    key_dir = given_key_dir(tmp_path, file_mode=file_mode)
    before = sorted(os.listdir(key_dir))

    with no_writes() as attempts:
        platform = Platform(production(tmp_path, key_dir))
    token = platform.tokens.mint("1", 60)

    assert attempts == []
    assert sorted(os.listdir(key_dir)) == before == ["pii-key", "signing-key.json"]
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o555
    assert platform.tokens.verify(token).subject == "1"
    blob = platform.pii.encrypt(ID_NUMBER, context=ID_CONTEXT)
    assert platform.pii.decrypt(blob, context=ID_CONTEXT) == ID_NUMBER


def test_keys_readonly_makes_a_development_key_directory_given(tmp_path: Path) -> None:
    key_dir = given_key_dir(tmp_path)
    settings = Settings(data_dir=tmp_path / "data", key_dir=key_dir, keys_readonly=True)

    with no_writes() as attempts:
        Platform(settings)

    assert settings.key_dir_given and attempts == []


def test_an_owned_key_directory_is_still_created_in_development(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", key_dir=None)

    platform = Platform(settings)

    assert not settings.key_dir_given
    key_dir = tmp_path / "data" / "keys"
    assert {"signing-key.json", "pii-key"} <= set(os.listdir(key_dir))
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o700
    assert platform.pii.current_version == 1


def test_a_missing_signing_key_is_refused_in_one_line(tmp_path: Path) -> None:
    key_dir = tmp_path / "given"
    key_dir.mkdir()

    with no_writes() as attempts:
        message = refusal(production(tmp_path, key_dir))

    assert attempts == []
    assert os.listdir(key_dir) == []
    assert str(key_dir / "signing-key.json") in message
    assert "partyplan keys init" in message


def test_an_unreadable_key_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_dir = given_key_dir(tmp_path, file_mode=0o400)
    # As root a 0400 file of another user is readable all the same: the refusal the service
    # (uid 10001) would meet is raised where the file is read.
    original = Path.read_text

    def denied(path: Path, *args: Any, **kwargs: Any) -> str:
        if path.parent == key_dir:
            raise PermissionError(13, "Permission denied", str(path))
        return original(path, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", denied)

    message = refusal(production(tmp_path, key_dir))

    assert "permission denied" in message and "fsGroup" in message


@pytest.mark.parametrize("name", ["signing-key.json", "pii-key"])
def test_a_given_key_open_to_others_is_refused(tmp_path: Path, name: str) -> None:
    key_dir = given_key_dir(tmp_path)
    os.chmod(key_dir / name, 0o444)

    assert "chmod 440" in refusal(production(tmp_path, key_dir))


def test_production_refuses_to_start_without_the_pii_key(tmp_path: Path) -> None:
    key_dir = given_key_dir(tmp_path, pii=False)

    with no_writes() as attempts:
        message = refusal(production(tmp_path, key_dir))

    assert attempts == []
    assert "no PII key" in message and "PARTYPLAN_PII_KEY" in message
    assert os.listdir(key_dir) == ["signing-key.json"]


def test_production_never_generates_the_pii_key_even_in_an_owned_directory(
    tmp_path: Path,
) -> None:
    key_dir = tmp_path / "owned"
    KeyStore.load_or_create(key_dir)

    message = refusal(production(tmp_path, key_dir, keys_readonly=False))

    assert "production never generates one" in message
    assert not (key_dir / "pii-key").exists()


def test_the_pii_key_may_be_given_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_dir = given_key_dir(tmp_path, pii=False)
    content = (given_key_dir(tmp_path / "other") / "pii-key").read_text()
    monkeypatch.setenv("PARTYPLAN_PII_KEY", content)
    settings = production(tmp_path, key_dir)

    with no_writes() as attempts:
        platform = Platform(settings)

    assert attempts == []
    assert platform.pii.lookup_hash(ID_NUMBER, context=ID_CONTEXT) == PiiCipher.load(
        tmp_path / "other" / "given"
    ).lookup_hash(ID_NUMBER, context=ID_CONTEXT)


def test_two_different_pii_keys_are_refused(tmp_path: Path) -> None:
    key_dir = given_key_dir(tmp_path)
    other = (given_key_dir(tmp_path / "other") / "pii-key").read_text()

    message = refusal(production(tmp_path, key_dir, pii_key=other))

    assert "hold different PII keys" in message


def test_a_second_replica_reads_what_the_first_wrote(tmp_path: Path) -> None:
    key_dir = given_key_dir(tmp_path)
    first = Platform(production(tmp_path, key_dir))
    second = Platform(production(tmp_path / "elsewhere", key_dir))

    blob = first.pii.encrypt(ID_NUMBER, context=ID_CONTEXT)

    assert second.pii.decrypt(blob, context=ID_CONTEXT) == ID_NUMBER
    assert second.pii.lookup_hash(ID_NUMBER, context=ID_CONTEXT) == first.pii.lookup_hash(
        ID_NUMBER, context=ID_CONTEXT
    )
    assert second.keys.kid == first.keys.kid
    assert second.tokens.verify(first.tokens.mint("7", 60)).subject == "7"


def test_the_lower_layers_raise_their_own_errors(tmp_path: Path) -> None:
    key_dir = tmp_path / "empty"
    key_dir.mkdir()

    with pytest.raises(KeyStoreError):
        KeyStore.load(key_dir)
    with pytest.raises(PiiKeyError):
        PiiCipher.load(key_dir)


def test_serve_prints_the_refusal_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key_dir = given_key_dir(tmp_path, pii=False)
    monkeypatch.setenv("PARTYPLAN_ENVIRONMENT", "production")
    monkeypatch.setenv("PARTYPLAN_KEY_DIR", str(key_dir))
    monkeypatch.setenv("PARTYPLAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PARTYPLAN_PII_KEY", raising=False)
    # Should the key check fail open, the start must not go on to serve: nothing listens here.
    monkeypatch.setenv("PARTYPLAN_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")

    status = cli.main(["serve", "--host", "127.0.0.1", "--port", "0"])

    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "no PII key" in err and "Traceback" not in err


def test_keys_init_makes_the_files_a_secret_is_made_of(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "for-the-secret"

    assert cli.main(["keys", "init", "--key-dir", str(target)]) == 0
    made = {name: (target / name).read_bytes() for name in ("signing-key.json", "pii-key")}
    assert cli.main(["keys", "init", "--key-dir", str(target)]) == 0  # again: nothing changes

    assert {name: (target / name).read_bytes() for name in made} == made
    assert "kept as it was" in capsys.readouterr().out
    # The directory is the Secret's content: the two keys, no lock file beside them.
    assert sorted(os.listdir(target)) == ["pii-key", "signing-key.json"]
    assert cli.main(["pii", "add-key", "--key-dir", str(target)]) == 0
    assert sorted(os.listdir(target)) == ["pii-key", "signing-key.json"]
    os.chmod(target / "signing-key.json", 0o440)
    os.chmod(target / "pii-key", 0o440)
    assert PiiCipher.load(target).current_version == 1
    assert KeyStore.load(target).kid


def test_the_manifest_gives_both_keys_readable_by_the_images_user() -> None:
    # Read as text (PyYAML is no dependency): the Deployment is the first document.
    deploy = Path(__file__).resolve().parents[2] / "deploy"
    dockerfile = (deploy / "Dockerfile").read_text(encoding="utf-8")
    text = (deploy / "kubernetes" / "partyplan.yaml").read_text(encoding="utf-8")
    deployment = text.split("\n---\n")[0]

    assert "--uid 10001" in dockerfile and "PARTYPLAN_KEYS_READONLY=true" in dockerfile
    assert "PARTYPLAN_KEY_DIR=/var/run/partyplan-keys" in dockerfile
    assert "{name: keys, mountPath: /var/run/partyplan-keys, readOnly: true}" in deployment
    assert (
        "securityContext: {runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, "
        "runAsNonRoot: true}" in deployment
    )
    assert "secret: {secretName: partyplan-keys, defaultMode: 0440}" in deployment
    # The Secret is made of exactly the files the service reads.
    assert "create secret generic partyplan-keys" in deployment
    for name in (SIGNING_KEY_FILE_NAME, PII_KEY_FILE_NAME):
        assert f"--from-file={name}=" in deployment


def test_every_command_says_a_key_problem_in_one_line(tmp_path: Path) -> None:
    # `partyplan token` builds its token service outside Platform: its refusal is the same line.
    with pytest.raises(KeyStoreError) as info:
        KeyStore.load(tmp_path)

    assert known_error(info.value) == str(info.value)
    assert known_error(PiiKeyError("no PII key")) == "no PII key"
