"""The PII key file's rotation edits: a version held before it is current, made current,
retired; lookups under every version held; the commands that make these edits."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from partyplan.resolvers.recruits import pii_keys
from partyplan.resolvers.recruits.pii import PiiCipher, PiiKeyError
from partyplan.server import cli

ID_CONTEXT = "recruit.id_number"
ID_NUMBER = "11010519491231002X"


def test_a_new_version_is_held_before_it_is_current(tmp_path: Path) -> None:
    before = PiiCipher.load_or_create(tmp_path)
    blob = before.encrypt(ID_NUMBER, context=ID_CONTEXT)

    assert pii_keys.add_key_version(tmp_path) == 2
    held = PiiCipher.load_or_create(tmp_path)

    # Every replica given this file still writes with version 1, and reads version 2.
    assert held.current_version == 1
    assert held.versions == (1, 2)
    assert held.decrypt(blob, context=ID_CONTEXT) == ID_NUMBER
    assert held.lookup_hash(ID_NUMBER, context=ID_CONTEXT) == before.lookup_hash(
        ID_NUMBER, context=ID_CONTEXT
    )
    assert json.loads((tmp_path / "pii-key").read_text())["current"] == 1

    pii_keys.set_current_version(tmp_path, 2)
    current = PiiCipher.load_or_create(tmp_path)

    assert current.current_version == 2 and current.versions == (2, 1)
    assert current.version_of(current.encrypt(ID_NUMBER, context=ID_CONTEXT)) == 2
    assert current.decrypt(blob, context=ID_CONTEXT) == ID_NUMBER


def test_lookup_hashes_cover_every_version_held_current_first(tmp_path: Path) -> None:
    PiiCipher.load_or_create(tmp_path)
    pii_keys.add_key_version(tmp_path, make_current=True)
    cipher = PiiCipher.load_or_create(tmp_path)

    hashes = cipher.lookup_hashes(ID_NUMBER, context=ID_CONTEXT)

    assert hashes == (
        cipher.lookup_hash(ID_NUMBER, context=ID_CONTEXT, version=2),
        cipher.lookup_hash(ID_NUMBER, context=ID_CONTEXT, version=1),
    )
    assert len(set(hashes)) == 2
    assert PiiCipher.from_secret(bytes(32)).lookup_hashes("x", context=ID_CONTEXT) == (
        PiiCipher.from_secret(bytes(32)).lookup_hash("x", context=ID_CONTEXT),
    )


def test_retiring_removes_a_version_but_never_the_current_one(tmp_path: Path) -> None:
    PiiCipher.load_or_create(tmp_path)
    pii_keys.add_key_version(tmp_path, make_current=True)

    with pytest.raises(PiiKeyError, match="current"):
        pii_keys.retire_key_version(tmp_path, 2)
    with pytest.raises(PiiKeyError, match="no key version 5"):
        pii_keys.retire_key_version(tmp_path, 5)
    pii_keys.retire_key_version(tmp_path, 1)

    assert PiiCipher.load_or_create(tmp_path).versions == (2,)
    with pytest.raises(PiiKeyError, match="no key version 1"):
        pii_keys.set_current_version(tmp_path, 1)


def test_a_file_without_current_writes_with_its_highest_version(tmp_path: Path) -> None:
    content = pii_keys.new_key_file()
    content["keys"]["2"] = base64.urlsafe_b64encode(bytes(range(32))).decode()
    del content["current"]

    ring, current = pii_keys.parse_key_file(json.dumps(content), "test")

    assert current == 2 and sorted(ring) == [1, 2]


@pytest.mark.parametrize("current", [3, "1", 1.0, True, [1], 0])
def test_a_current_version_the_file_does_not_hold_is_refused(current: object) -> None:
    content = pii_keys.new_key_file()
    content["current"] = current

    with pytest.raises(PiiKeyError, match="current version"):
        pii_keys.parse_key_file(json.dumps(content), "test")


def test_the_commands_edit_the_operators_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "secret-source"
    assert cli.main(["keys", "init", "--key-dir", str(copy)]) == 0
    assert cli.main(["pii", "add-key", "--key-dir", str(copy)]) == 0
    assert "version 2 added (held, not current yet)" in capsys.readouterr().out
    assert PiiCipher.load_or_create(copy).current_version == 1

    assert cli.main(["pii", "use", "2", "--key-dir", str(copy)]) == 0
    assert PiiCipher.load_or_create(copy).current_version == 2
    assert cli.main(["pii", "retire", "1", "--key-dir", str(copy)]) == 0
    assert PiiCipher.load_or_create(copy).versions == (2,)

    assert cli.main(["pii", "retire", "2", "--key-dir", str(copy)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is the current one" in err


def test_a_given_directory_is_not_edited_by_the_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    given = tmp_path / "given"
    PiiCipher.load_or_create(given)
    before = (given / "pii-key").read_bytes()
    os.chmod(given / "pii-key", 0o440)  # as a Secret mounts it: not ours to rewrite

    assert cli.main(["pii", "add-key", "--key-dir", str(given)]) == 2

    assert "chmod 600" in capsys.readouterr().err
    assert (given / "pii-key").read_bytes() == before
