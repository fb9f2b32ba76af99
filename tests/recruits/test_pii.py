"""PII protection: AES-256-GCM with the context as associated data, keyed lookup hashes, the
versioned key file and its safe creation across processes."""

from __future__ import annotations

import base64
import json
import multiprocessing
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from partyplan.auth.keys import KEY_FILE_NAME as SIGNING_KEY_FILE_NAME
from partyplan.auth.keys import KeyStore
from partyplan.resolvers.recruits.pii import (
    KEY_FILE_NAME,
    PiiCipher,
    PiiDecryptionError,
    PiiKeyError,
    add_key_version,
)
from partyplan.server.settings import Settings

SECRET = bytes(range(32))
OTHER_SECRET = bytes(range(1, 33))
ID_CONTEXT = "recruit.id_number"
PHONE_CONTEXT = "recruit.phone"
ID_NUMBER = "11010519491231002X"
OVERHEAD = 1 + 12 + 16  # version byte, nonce, tag


@pytest.fixture
def cipher() -> PiiCipher:
    return PiiCipher.from_secret(SECRET)


def flip(blob: bytes, position: int) -> bytes:
    data = bytearray(blob)
    data[position] ^= 0x01
    return bytes(data)


# --- encryption -----------------------------------------------------------------------------------


@pytest.mark.parametrize("plaintext", [ID_NUMBER, "13812345678", "", "阿依古丽·买买提", "x" * 5000])
def test_round_trip(cipher: PiiCipher, plaintext: str) -> None:
    blob = cipher.encrypt(plaintext, context=ID_CONTEXT)

    assert isinstance(blob, bytes)
    assert blob[0] == 1
    assert len(blob) == OVERHEAD + len(plaintext.encode())
    assert cipher.decrypt(blob, context=ID_CONTEXT) == plaintext
    assert plaintext.encode() not in blob or plaintext == ""


def test_round_trip_across_instances_with_the_same_secret(cipher: PiiCipher) -> None:
    blob = cipher.encrypt(ID_NUMBER, context=ID_CONTEXT)

    assert PiiCipher.from_secret(SECRET).decrypt(blob, context=ID_CONTEXT) == ID_NUMBER


@pytest.mark.parametrize("wrap", [bytearray, memoryview])
def test_decrypt_accepts_driver_buffer_types(cipher: PiiCipher, wrap: type) -> None:
    blob = cipher.encrypt(ID_NUMBER, context=ID_CONTEXT)

    assert cipher.decrypt(wrap(blob), context=ID_CONTEXT) == ID_NUMBER


def test_every_encryption_uses_a_fresh_nonce(cipher: PiiCipher) -> None:
    blobs = [cipher.encrypt(ID_NUMBER, context=ID_CONTEXT) for _ in range(50)]

    assert len(set(blobs)) == 50
    assert len({blob[1:13] for blob in blobs}) == 50


@pytest.mark.parametrize(
    "position", [0, 1, 12, 13, 13 + len(ID_NUMBER) - 1, -16, -1], ids=lambda p: f"byte{p}"
)
def test_tampering_detected(cipher: PiiCipher, position: int) -> None:
    blob = cipher.encrypt(ID_NUMBER, context=ID_CONTEXT)

    with pytest.raises(PiiDecryptionError) as info:
        cipher.decrypt(flip(blob, position), context=ID_CONTEXT)
    assert ID_NUMBER not in str(info.value)


@pytest.mark.parametrize("cut", [0, 1, OVERHEAD - 1])
def test_truncated_ciphertext_refused(cipher: PiiCipher, cut: int) -> None:
    blob = cipher.encrypt(ID_NUMBER, context=ID_CONTEXT)

    with pytest.raises(PiiDecryptionError, match="truncated"):
        cipher.decrypt(blob[:cut], context=ID_CONTEXT)


def test_ciphertext_moved_to_another_column_refused(cipher: PiiCipher) -> None:
    blob = cipher.encrypt(ID_NUMBER, context=ID_CONTEXT)

    with pytest.raises(PiiDecryptionError, match="authentication"):
        cipher.decrypt(blob, context=PHONE_CONTEXT)


def test_other_key_refused(cipher: PiiCipher) -> None:
    blob = cipher.encrypt(ID_NUMBER, context=ID_CONTEXT)

    with pytest.raises(PiiDecryptionError):
        PiiCipher.from_secret(OTHER_SECRET).decrypt(blob, context=ID_CONTEXT)


def test_unknown_key_version_refused_clearly(cipher: PiiCipher) -> None:
    blob = PiiCipher.from_secret(OTHER_SECRET, version=7).encrypt(ID_NUMBER, context=ID_CONTEXT)

    with pytest.raises(PiiDecryptionError, match="key version 7") as info:
        cipher.decrypt(blob, context=ID_CONTEXT)
    assert "holds 1" in str(info.value)


@pytest.mark.parametrize("context", ["", "Recruit.id", "recruit..id", "recruit.id\x00", "身份证"])
def test_invalid_context_is_a_programming_error(cipher: PiiCipher, context: str) -> None:
    with pytest.raises(ValueError):
        cipher.encrypt(ID_NUMBER, context=context)
    with pytest.raises(ValueError):
        cipher.lookup_hash(ID_NUMBER, context=context)


# --- rotation -------------------------------------------------------------------------------------


def test_rotation_reads_old_versions_and_writes_the_newest() -> None:
    old_blob = PiiCipher.from_secret(SECRET).encrypt(ID_NUMBER, context=ID_CONTEXT)
    rotated = PiiCipher({1: SECRET, 2: OTHER_SECRET})

    new_blob = rotated.encrypt(ID_NUMBER, context=ID_CONTEXT)

    assert rotated.current_version == 2
    assert rotated.version_of(old_blob) == 1 and rotated.version_of(new_blob) == 2
    assert rotated.decrypt(old_blob, context=ID_CONTEXT) == ID_NUMBER
    assert rotated.decrypt(new_blob, context=ID_CONTEXT) == ID_NUMBER
    with pytest.raises(PiiDecryptionError, match="key version 2"):
        PiiCipher.from_secret(SECRET).decrypt(new_blob, context=ID_CONTEXT)


def test_version_byte_swap_refused() -> None:
    # Same secret under two versions: only the associated data tells them apart.
    both = PiiCipher({1: SECRET, 2: SECRET})
    blob = both.encrypt(ID_NUMBER, context=ID_CONTEXT)

    with pytest.raises(PiiDecryptionError, match="authentication"):
        both.decrypt(bytes([1]) + blob[1:], context=ID_CONTEXT)


@pytest.mark.parametrize(
    ("secrets", "current"),
    [
        ({}, None),
        ({1: b"short"}, None),
        ({1: SECRET + b"x"}, None),
        ({0: SECRET}, None),
        ({256: SECRET}, None),
        ({1: SECRET}, 2),
    ],
)
def test_bad_key_configuration_refused(secrets: dict[int, bytes], current: int | None) -> None:
    with pytest.raises(ValueError):
        PiiCipher(secrets, current=current)


def test_repr_shows_no_secret(cipher: PiiCipher) -> None:
    assert repr(cipher) == "PiiCipher(versions=[1], current=1)"


# --- lookup hashes --------------------------------------------------------------------------------


def test_lookup_hash_is_stable(cipher: PiiCipher) -> None:
    digest = cipher.lookup_hash(ID_NUMBER, context=ID_CONTEXT)

    assert len(digest) == 32
    assert cipher.lookup_hash(ID_NUMBER, context=ID_CONTEXT) == digest
    assert PiiCipher.from_secret(SECRET).lookup_hash(ID_NUMBER, context=ID_CONTEXT) == digest


def test_lookup_hash_normalises(cipher: PiiCipher) -> None:
    digest = cipher.lookup_hash(ID_NUMBER, context=ID_CONTEXT)

    assert cipher.lookup_hash(" 11010519491231002x ", context=ID_CONTEXT) == digest
    assert cipher.lookup_hash("１１０１０５１９４９１２３１００２Ｘ", context=ID_CONTEXT) == digest


def test_lookup_hash_differs_per_context_key_and_value(cipher: PiiCipher) -> None:
    digest = cipher.lookup_hash("13812345678", context=ID_CONTEXT)

    assert cipher.lookup_hash("13812345678", context=PHONE_CONTEXT) != digest
    other = PiiCipher.from_secret(OTHER_SECRET)
    assert other.lookup_hash("13812345678", context=ID_CONTEXT) != digest
    assert cipher.lookup_hash("13812345679", context=ID_CONTEXT) != digest


def test_lookup_hash_uses_the_current_version_unless_told() -> None:
    rotated = PiiCipher({1: SECRET, 2: OTHER_SECRET})
    old = PiiCipher.from_secret(SECRET).lookup_hash(ID_NUMBER, context=ID_CONTEXT)
    new = PiiCipher.from_secret(OTHER_SECRET).lookup_hash(ID_NUMBER, context=ID_CONTEXT)

    assert rotated.lookup_hash(ID_NUMBER, context=ID_CONTEXT) == new
    assert rotated.lookup_hash(ID_NUMBER, context=ID_CONTEXT, version=1) == old
    with pytest.raises(ValueError):
        rotated.lookup_hash(ID_NUMBER, context=ID_CONTEXT, version=3)


# --- the key file ---------------------------------------------------------------------------------


def test_key_file_created_private_and_reused(tmp_path: Path) -> None:
    key_dir = tmp_path / "data" / "keys"

    first = PiiCipher.load_or_create(key_dir)
    blob = first.encrypt(ID_NUMBER, context=ID_CONTEXT)
    second = PiiCipher.load_or_create(key_dir)

    key_file = key_dir / KEY_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o700
    assert second.decrypt(blob, context=ID_CONTEXT) == ID_NUMBER
    assert second.lookup_hash("a", context=ID_CONTEXT) == first.lookup_hash("a", context=ID_CONTEXT)
    stored = json.loads(key_file.read_text())
    assert list(stored["keys"]) == ["1"]
    assert len(base64.urlsafe_b64decode(stored["keys"]["1"])) == 32
    assert sorted(os.listdir(key_dir)) == ["pii-key"]  # no lock file beside it


def test_key_file_lives_beside_the_signing_key(tmp_path: Path) -> None:
    keys = KeyStore.load_or_create(tmp_path)
    PiiCipher.load_or_create(tmp_path)

    assert KeyStore.load_or_create(tmp_path).kid == keys.kid
    assert {SIGNING_KEY_FILE_NAME, KEY_FILE_NAME} <= set(os.listdir(tmp_path))


def test_two_directories_give_different_keys(tmp_path: Path) -> None:
    first = PiiCipher.load_or_create(tmp_path / "a")
    second = PiiCipher.load_or_create(tmp_path / "b")

    assert first.lookup_hash("a", context=ID_CONTEXT) != second.lookup_hash("a", context=ID_CONTEXT)


def test_from_settings_uses_resolved_key_dir(tmp_path: Path) -> None:
    # key_dir=None explicitly: a PARTYPLAN_KEY_DIR in the environment must not leak in.
    cipher = PiiCipher.from_settings(Settings(data_dir=tmp_path, key_dir=None))

    assert (tmp_path / "keys" / KEY_FILE_NAME).exists()
    blob = cipher.encrypt(ID_NUMBER, context=ID_CONTEXT)
    assert (
        PiiCipher.load_or_create(tmp_path / "keys").decrypt(blob, context=ID_CONTEXT) == ID_NUMBER
    )


def test_group_readable_key_file_refused(tmp_path: Path) -> None:
    PiiCipher.load_or_create(tmp_path)
    os.chmod(tmp_path / KEY_FILE_NAME, 0o640)

    with pytest.raises(PiiKeyError, match="chmod 600"):
        PiiCipher.load_or_create(tmp_path)


def _b64(secret: bytes) -> str:
    return base64.urlsafe_b64encode(secret).decode()


@pytest.mark.parametrize(
    "content",
    [
        "",
        "{not json",
        "[]",
        '"text"',
        json.dumps({}),
        json.dumps({"keys": {}}),
        json.dumps({"keys": []}),
        json.dumps({"keys": {"1": 42}}),
        json.dumps({"keys": {"1": "!!!"}}),
        json.dumps({"keys": {"1": _b64(b"short")}}),
        json.dumps({"keys": {"0": _b64(SECRET)}}),
        json.dumps({"keys": {"01": _b64(SECRET)}}),
        json.dumps({"keys": {"256": _b64(SECRET)}}),
        json.dumps({"keys": {"one": _b64(SECRET)}}),
    ],
)
def test_unusable_key_file_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / KEY_FILE_NAME
    path.write_text(content)
    os.chmod(path, 0o600)

    with pytest.raises(PiiKeyError) as info:
        PiiCipher.load_or_create(tmp_path)
    assert _b64(SECRET) not in str(info.value)


def test_add_key_version_rotates_in_place(tmp_path: Path) -> None:
    before = PiiCipher.load_or_create(tmp_path)
    old_blob = before.encrypt(ID_NUMBER, context=ID_CONTEXT)

    assert add_key_version(tmp_path, make_current=True) == 2
    after = PiiCipher.load_or_create(tmp_path)

    assert after.current_version == 2
    assert after.decrypt(old_blob, context=ID_CONTEXT) == ID_NUMBER
    assert after.version_of(after.encrypt(ID_NUMBER, context=ID_CONTEXT)) == 2
    assert after.lookup_hash("a", context=ID_CONTEXT, version=1) == before.lookup_hash(
        "a", context=ID_CONTEXT
    )
    assert stat.S_IMODE((tmp_path / KEY_FILE_NAME).stat().st_mode) == 0o600
    assert add_key_version(tmp_path) == 3


def test_add_key_version_on_an_empty_directory_starts_at_1(tmp_path: Path) -> None:
    assert add_key_version(tmp_path / "keys") == 1
    assert PiiCipher.load_or_create(tmp_path / "keys").current_version == 1


def _load_fingerprint(key_dir: str, barrier: Any, results: Any) -> None:
    barrier.wait(timeout=20)
    cipher = PiiCipher.load_or_create(Path(key_dir))
    # A lookup hash identifies the key without sending the key itself across processes.
    results.put(cipher.lookup_hash("probe", context="test.probe"))


def test_concurrent_first_start_ends_with_one_key(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    workers = 4
    barrier = ctx.Barrier(workers)
    results = ctx.Queue()
    key_dir = tmp_path / "keys"
    processes = [
        ctx.Process(target=_load_fingerprint, args=(str(key_dir), barrier, results))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    fingerprints = [results.get(timeout=30) for _ in processes]
    for process in processes:
        process.join(timeout=30)

    assert [process.exitcode for process in processes] == [0] * workers
    assert len(set(fingerprints)) == 1
    reloaded = PiiCipher.load_or_create(key_dir)
    assert reloaded.lookup_hash("probe", context="test.probe") == fingerprints[0]
    assert sorted(os.listdir(key_dir)) == ["pii-key"]  # no lock file beside it
