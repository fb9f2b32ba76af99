"""Where the 细则 citations of the rule table were checked against the 2014 text, and which ones
could not be settled.

Branch secretaries quote a refusal's or a finding's article back to the commission, so an
article is changed only when two independent copies of the 2014 text show the same number for
the same rule. :data:`CITATION_SOURCES` names those copies for every article a rule of reading
``2014.2`` cites (a corrected citation, or a rule added from the text); a copy that quotes the
rule without its number counts only beside one that prints it. :data:`UNSETTLED_CITATIONS` keeps
the citations that stay as they were because no two copies agree, with what was seen: they are
not claims checked against the text, and a reviewer should not read them as such.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["CITATION_SOURCES", "UNSETTLED_CITATIONS", "Unsettled"]

#: Article → the copies of the 2014 text it was checked against.
CITATION_SOURCES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # Periodic assessment of activists (cultivation.every_6m): numbered in the first copy;
        # the same two rules (half-yearly assessment, yearly analysis), unnumbered, in the second.
        "细则第十一条": (
            "https://www.topnews9.com/jxzs/202208/660131.html",
            "http://reibang.com/p/b734e28ec439",
        ),
        # Political review (step 10, review.qualified, review.valid_1y): numbered in both copies.
        "细则第十六条": (
            "http://p719.cn/22357718.html",
            "https://m.taodocs.com/p-675933586.html",
        ),
        # Short training (step 11, training.minimum): numbered in the first copy; in the second,
        # the same text stands between article 16 and the 第四章 heading before 18.
        "细则第十七条": (
            "https://m.taodocs.com/p-675933586.html",
            "https://www.topnews9.com/jxzs/202208/660131.html",
        ),
        # A development target leaving the unit within three months (target.leaving_3m):
        # numbered, with that sentence as its last paragraph, in both copies.
        "细则第十九条": (
            "http://uianet.net/dictionary/b6951661.html",
            "https://m.taodocs.com/p-675933586.html",
        ),
        # Conversion approved within three months of the branch's reported resolution
        # (conversion_approval.within_3m): numbered in the first copy; the same sentence,
        # unnumbered, in the 共产党员网 summary of chapter 5 (item 7).
        "细则第三十四条": (
            "http://uianet.net/dictionary/b468676.html",
            "http://www.lawcentury.com/info/8bf287a3ec7b45f39790c4040681d91a",
        ),
        # A transferred-in probationary member's conversion discussion postponed up to six
        # months (conversion.postponed_within_6m): numbered in the first copy; unnumbered in a
        # 旗帜网 answer "根据党章、《中国共产党发展党员工作细则》等整理".
        "细则第三十六条": (
            "http://uianet.net/dictionary/b468676.html",
            "http://nxjgdj.gov.cn/dwzn/202207/t20220713_4926727.html",
        ),
        # Archiving (step 25): numbered after 33–36 in the first copy; the same rule, unnumbered,
        # in a county's copy.
        "细则第三十七条": (
            "http://uianet.net/dictionary/b468676.html",
            "https://gxj.xxz.gov.cn/jgdj_160/201912/t20191216_1385523.html",
        ),
    }
)


@dataclass(frozen=True, slots=True)
class Unsettled:
    """A citation kept as it was: who cites it, the number the chapter's order suggested (if
    any), and what the copies found showed."""

    cited_by: tuple[str, ...]  # step codes and rule ids
    inferred: str | None
    seen: tuple[str, ...]  # copies that bear on it
    why: str


#: Cited article → why it could not be settled from the text. Searched in the stored pages for
#: the full 2014 text: the provincial 党内法规库 copy
#: (https://www.ajjhl.com/col_dnfgk/202503/297AEF90675D4AE90E902D1DD0B38F38.htm) and the school
#: copy with pinyin annotations (https://scuhx.com/117.html) were found, but only their opening
#: (chapter 1 to article 5) could be read, so neither could be compared past article 5.
UNSETTLED_CITATIONS: Mapping[str, Unsettled] = MappingProxyType(
    {
        "细则第二十三条": Unsettled(
            ("committee_talk",),
            None,
            ("https://p2.ttnews.xyz/a/5e5f7733dc9b5e42aa24906c",),
            "谈话在决议报批之后、审批之前，各份摘要次序一致，但未见条号",
        ),
        "细则第二十四条": Unsettled(
            ("approval", "approval_filing", "approval.within_3m"),
            None,
            (
                "https://p2.ttnews.xyz/a/5e5f7733dc9b5e42aa24906c",
                "http://fuwu.12371.cn/2017/07/24/ARTI1500860283547773.shtml",
                "https://wenda.12371.cn/liebiao.php?mod=viewthread&tid=656721",
            ),
            "第二十四至二十七条的内容（集体讨论审批、三个月时限与备案、通知、党总支只审议不审批）"
            "可见于无条号的摘要；唯一引用条号的一处（问答）把党总支一款称为第二十三条第二款，"
            "与按次序推断相矛盾",
        ),
        "细则第二十七条": Unsettled(
            ("assignment",),
            "细则第二十八条",
            ("http://crsrw.com/falvyuanzhu/20603.html",),
            "推断来自第五章始于第二十八条；唯一印出条号的一份（经改写的转引）把编入党支部和"
            "党小组记为第二十九条、入党宣誓记为第三十条，与推断不合，又无第二份可对照",
        ),
        "细则第二十八条": Unsettled(
            ("oath",),
            "细则第二十九条",
            ("http://crsrw.com/falvyuanzhu/20603.html",),
            "同上：该份转引记为第三十条",
        ),
        "细则第二十九条": Unsettled(
            ("probation_education",),
            "细则第二十八条、第三十一条",
            (
                "http://crsrw.com/falvyuanzhu/20603.html",
                "http://www.lawcentury.com/info/8bf287a3ec7b45f39790c4040681d91a",
            ),
            "教育考察方式一条的内容可见于共产党员网摘要（无条号）；条号未见，且上述转引使"
            "第五章的起点存疑",
        ),
    }
)
