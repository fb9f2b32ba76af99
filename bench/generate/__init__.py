"""``partyplan bench generate``: a deterministic data set at a named scale (small, province,
nation), loaded through binary COPY. See bench/README.md ("Generator").

Import-light on purpose: the CLI imports this module to build its parser on every command, so
only argparse is loaded here; the generator itself is imported when the command runs.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

SCALE_NAMES = ("small", "province", "nation")


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``generate`` on the ``bench`` sub-command."""
    parser = sub.add_parser(
        "generate",
        help="generate a scale's data set and load it (COPY)",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("--scale", choices=SCALE_NAMES, default="small")
    parser.add_argument(
        "--seed", type=int, default=None, help="same seed, same data (default: a fixed seed)"
    )
    parser.add_argument(
        "--database-url",
        help="owner URL of an existing database (superuser: the load sets "
        "session_replication_role); default: an embedded server",
    )
    parser.add_argument(
        "--data-dir", type=Path, help="embedded server and keys (default: .partyplan/bench-<scale>)"
    )
    parser.add_argument(
        "--key-dir", type=Path, help="where the PII key lives (default: <data-dir>/keys)"
    )
    parser.add_argument(
        "--replace",
        action="store_true",
        help="drop and recreate the database if it already holds units",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="generator processes (default: one per CPU; 0: in process)",
    )
    parser.add_argument(
        "--scan",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run the warning scan after the load (default: on, off at nation)",
    )
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="'today' for the data (YYYY-MM-DD; default: the scale's)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import asyncio
    import dataclasses
    import sys

    from .command import generate
    from .load import DatabaseNotEmpty
    from .scale import DEFAULT_SEED, SCALES

    scale = SCALES[args.scale]
    if args.as_of is not None:
        scale = dataclasses.replace(scale, as_of=args.as_of)
    seed = DEFAULT_SEED if args.seed is None else args.seed
    try:
        result = asyncio.run(
            generate(
                scale,
                seed,
                database_url=args.database_url,
                data_dir=args.data_dir,
                key_dir=args.key_dir,
                replace=args.replace,
                workers=args.workers,
                scan=args.scan,
            )
        )
    except DatabaseNotEmpty as error:
        print(f"partyplan bench generate: {error}", file=sys.stderr)
        return 1
    print("\n".join(result.lines()))
    return 0
