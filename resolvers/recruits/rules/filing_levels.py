"""Where a high-level-talent filing (高层次人才备案) goes, by the commission's region: rule data,
read when a school files (the filing keeps its destination) and when it is acknowledged.

- 重庆 (50), 重庆幼专党委〔2019〕51号 二: "按照成熟一个发展一个的原则，报学校党委备案，可不受
  发展党员指导性计划限制" — filed with the school's Party committee, which acknowledges it.
- 山西 (14), 晋教工委组〔2023〕23号 二: "发展省级及以上人才引进培养支持计划入选人员等高层次人才
  入党，报经省委教育工委、省委组织部备案" — filed with the commission and the provincial
  organization department; the commission acknowledges it (the organization department is no
  user of the platform: the filing names it as a destination, the commission forwards it).
- Any other region: the commission, as the platform did before the level was data.

``level`` says whose acknowledgement counts: ``school`` — a holder of ``filing.review`` bound
at the filing's school; ``commission`` — one bound at the commission. Holding the permission
higher up is not enough: the filing is acknowledged where it was filed, so a commission does
not acknowledge what its schools' committees keep, nor a school what goes to the commission.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from .overlays import CHONGQING, SHANXI

Level = Literal["school", "commission"]


@dataclass(frozen=True, slots=True)
class FilingLevel:
    level: Level
    destinations: tuple[str, ...]  # the bodies filed with, as the notice names them
    basis: str  # the document that says so


#: The built-in levels by region code (GB/T 2260). The migration that added the level (0024)
#: backfilled the filings already made with the same data.
FILING_LEVELS: Mapping[str, FilingLevel] = {
    CHONGQING: FilingLevel("school", ("学校党委",), "重庆幼专党委〔2019〕51号 二"),
    SHANXI: FilingLevel("commission", ("省委教育工委", "省委组织部"), "晋教工委组〔2023〕23号 二"),
}

#: Where a filing goes when the commission's region sets nothing (or is not set).
DEFAULT_LEVEL = FilingLevel("commission", ("省委教育工委",), "")


def filing_level(region_code: str | None) -> FilingLevel:
    """The level of a filing made under a commission of ``region_code``."""
    return FILING_LEVELS.get(region_code or "", DEFAULT_LEVEL)
