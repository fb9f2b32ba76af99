"""``partyplan keys`` and ``partyplan pii``: making the keys an installation is given, and
rotating the PII key (docs/operations.md "Keys").

The key-file commands (``keys init``, ``pii add-key``, ``pii use``, ``pii retire``) edit the
files of a key directory the operator owns — by default the settings' key directory, usually
``--key-dir`` naming the operator's copy of the Secret — and never a running service's: a
service reads its keys once, at start. ``pii rotate`` re-encrypts the database as the owner
with the key the service is given.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from partyplan.auth.keys import KEY_FILE_NAME as SIGNING_KEY_FILE_NAME
from partyplan.auth.keys import KeyStore, KeyStoreError
from partyplan.resolvers.recruits import pii_keys
from partyplan.resolvers.recruits.pii import PiiCipher

from .errors import StartupRefused
from .settings import Settings

__all__ = ["add_parsers"]


def _key_dir(args: argparse.Namespace, settings: Settings) -> Path:
    return Path(args.key_dir).resolve() if args.key_dir else settings.resolved_key_dir


def cmd_keys(args: argparse.Namespace, settings: Settings) -> int:
    """``keys init``: the signing key and the PII key in an owned directory, each created only
    if missing (running it again changes nothing)."""
    key_dir = _key_dir(args, settings)
    made = []
    for name in (SIGNING_KEY_FILE_NAME, pii_keys.KEY_FILE_NAME):
        if not (key_dir / name).exists():
            made.append(name)
    with _refusing():
        KeyStore.load_or_create(key_dir)
        PiiCipher.load_or_create(key_dir)
    for name in (SIGNING_KEY_FILE_NAME, pii_keys.KEY_FILE_NAME):
        print(f"{key_dir / name}: {'created' if name in made else 'kept as it was'}")
    print(
        "Back both files up apart from the database backups (without pii-key the encrypted "
        "ID numbers and phones are lost); give every replica the same files "
        "(docs/operations.md, Keys)."
    )
    return 0


def cmd_pii(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "rotate":
        return _rotate(args, settings)
    key_dir = _key_dir(args, settings)
    with _refusing():
        if args.action == "add-key":
            version = pii_keys.add_key_version(key_dir, make_current=args.current)
            state = "current" if args.current else "held, not current yet"
            print(f"{key_dir / pii_keys.KEY_FILE_NAME}: key version {version} added ({state})")
        elif args.action == "use":
            pii_keys.set_current_version(key_dir, _version(args))
            print(f"{key_dir / pii_keys.KEY_FILE_NAME}: key version {args.version} is current")
        else:
            pii_keys.retire_key_version(key_dir, _version(args))
            print(f"{key_dir / pii_keys.KEY_FILE_NAME}: key version {args.version} removed")
    if args.action != "retire":
        print("Give every replica the new file, then restart them (docs/operations.md, Keys).")
    return 0


def _version(args: argparse.Namespace) -> int:
    if args.version is None:
        raise StartupRefused(f"pii {args.action} needs the key version, e.g. pii {args.action} 2")
    return int(args.version)


def _rotate(args: argparse.Namespace, settings: Settings) -> int:
    from partyplan.resolvers.recruits.service import pii_rotation

    from .cli_database import owner_database
    from .database import async_url

    with _refusing():
        cipher = PiiCipher.from_settings(settings)

    def progress(table: str, rewritten: int) -> None:
        if not args.quiet:
            print(f"  {table}: {rewritten} rewritten", flush=True)

    async def run() -> tuple[dict[str, dict[int, int]], Any]:
        from sqlalchemy.ext.asyncio import create_async_engine

        async with owner_database(settings, migrate=False) as url:
            engine = create_async_engine(async_url(url))
            try:
                done = None
                if not args.check:
                    done = await pii_rotation.reencrypt(
                        engine, cipher, batch_size=args.batch_size, progress=progress
                    )
                async with engine.connect() as conn:
                    return await pii_rotation.versions_in_use(conn), done
            finally:
                await engine.dispose()

    used, done = asyncio.run(run())
    version = cipher.current_version
    for name, counts in used.items():
        shown = ", ".join(f"version {v}: {n}" for v, n in counts.items()) or "none"
        print(f"{name}: {shown}")
    stale = pii_rotation.stale_count(used, version)
    if done is not None:
        counts = ", ".join(f"{n} {table}" for table, n in done.rewritten.items())
        print(f"rewritten to key version {version}: {counts} ({done.batches} batches)")
    if stale:
        print(
            f"{stale} values are still under another key version than {version}: run "
            "`partyplan pii rotate` again (every replica must write with the new version first)"
        )
        return 1
    print(f"every value a reader needs is under key version {version}")
    return 0


@contextlib.contextmanager
def _refusing() -> Iterator[None]:
    """Key problems as the command line's one-line refusals."""
    try:
        yield
    except KeyStoreError as error:  # PiiKeyError is one too
        raise StartupRefused(str(error)) from None
    except OSError as error:  # a read-only mount, a directory of another user
        raise StartupRefused(f"cannot write the keys: {error}") from None


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def add_parsers(sub: Any, with_data_dir: Any, settings_of: Any) -> None:
    """``keys`` and ``pii`` on the command line's subparsers; ``settings_of(args)`` loads the
    settings as the other commands do."""
    keys = with_data_dir(sub.add_parser("keys", help="make the keys an installation is given"))
    keys.add_argument("action", choices=["init"])
    keys.add_argument("--key-dir", help="where to write them (default: the key directory)")
    keys.set_defaults(func=lambda args: cmd_keys(args, settings_of(args)))

    pii = with_data_dir(sub.add_parser("pii", help="rotate the PII encryption key"))
    pii.add_argument("action", choices=["add-key", "use", "rotate", "retire"])
    pii.add_argument("version", nargs="?", type=_positive, help="use, retire: the key version")
    pii.add_argument("--key-dir", help="the key file's directory (default: the key directory)")
    pii.add_argument(
        "--current", action="store_true", help="add-key: make it current at once (one replica)"
    )
    pii.add_argument(
        "--batch-size", type=_positive, default=500, help="rotate: rows per transaction"
    )
    pii.add_argument(
        "--check", action="store_true", help="rotate: only count values per key version"
    )
    pii.add_argument("--quiet", action="store_true", help="rotate: no progress lines")
    pii.set_defaults(func=lambda args: cmd_pii(args, settings_of(args)))
