"""GraphiQL without the internet: strawberry's own page, each CDN script and stylesheet
pointed at the platform's vendored copy (``server/assets.py``).

The page is strawberry's template, rewritten rather than copied, so a strawberry upgrade keeps
its behaviour; an asset the manifest does not hold fails loudly (``AssetError``), never falls
back to the CDN. Each rewritten tag's ``integrity`` is recomputed from the served file.
"""

from __future__ import annotations

import re
from functools import cache

from . import assets

#: A script or stylesheet tag of the template.
TAG = re.compile(r"<(?:script|link)\b[^>]*>", re.IGNORECASE)
#: The tag's remote address (``data:`` icons and inline scripts have none).
REMOTE = re.compile(r"""\b(src|href)\s*=\s*(["'])(https?:)?//([^"']*)\2""", re.IGNORECASE)
INTEGRITY = re.compile(r"""\s+integrity\s*=\s*(["'])[^"']*\1""", re.IGNORECASE)
#: ``host/<package>@<version>/<path>`` as unpkg and jsDelivr's npm mirror spell it.
NPM_URL = re.compile(
    r"^[^/]+/(?:npm/)?(?P<package>(?:@[^/@]+/)?[^/@]+)@(?P<version>[^/]+)/(?P<path>[^?#]+)$"
)


def _local(tag: str, root_path: str) -> str:
    remote = REMOTE.search(tag)
    if remote is None:
        return tag
    attribute, quote, _, address = remote.groups()
    spelled = NPM_URL.match(address)
    item = spelled and assets.lookup(spelled["package"], spelled["version"], spelled["path"])
    if not item:
        raise assets.AssetError(f"GraphiQL needs //{address}, which is not vendored")
    local = f"{attribute}={quote}{root_path}{item.url}{quote}"
    tag = tag[: remote.start()] + local + tag[remote.end() :]
    tag, replaced = INTEGRITY.subn(f' integrity="{assets.integrity(item.url)}"', tag, count=1)
    return (
        tag if replaced else tag.replace(local, f'{local} integrity="{assets.integrity(item.url)}"')
    )


@cache
def offline(html: str, root_path: str = "") -> str:
    """``html`` with every remote script and stylesheet served from ``root_path`` +
    ``/assets/vendor/…`` instead."""
    return TAG.sub(lambda match: _local(match.group(0), root_path), html)
