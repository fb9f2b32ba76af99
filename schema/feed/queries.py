from __future__ import annotations

from typing import Annotated, Protocol, cast

import strawberry
from graphql import GraphQLError

from partyplan.auth.permissions import Permission
from partyplan.resolvers.feed import service
from partyplan.resolvers.feed.errors import FeedError, FeedErrorCode

from ..connections import Edge, PageInfo, PlainConnection
from ..errors import BadInput
from ..permissions import described
from .types import Change, ChangeKind

DEFAULT_FIRST = 100


class FeedSettings(Protocol):
    """What the feed reads from the settings (the server's ``Settings`` satisfies it)."""

    @property
    def feed_max_page_size(self) -> int: ...


class CursorExpired(GraphQLError):
    def __init__(self, message: str) -> None:
        super().__init__(
            message, extensions={"code": FeedErrorCode.CURSOR_EXPIRED.value, "field": "since"}
        )


def _refused(error: FeedError) -> GraphQLError:
    if error.code is FeedErrorCode.CURSOR_EXPIRED:
        return CursorExpired(error.message)
    return BadInput(error.message, error.field or "since")


@strawberry.type
class FeedQueries:
    @strawberry.field(
        description=described(
            "变更流：What changed (recruits, steps, members, filings) since `since`, oldest first, "
            "each change once: a job keeps `pageInfo.endCursor` and asks again with it "
            "(`hasNextPage`: ask again at once; else later). A change appears once its "
            "transaction and every older one still running have ended, so none is ever "
            "skipped. No `since`: from the oldest change kept. The cursor holds for the same "
            "caller and `kinds`. Changes older than the retention are pruned: a cursor from "
            "before them is refused with CURSOR_EXPIRED (read the current state again, then "
            "poll without `since`); one not issued by this feed with BAD_USER_INPUT.",
            Permission.RECRUIT_READ,
            where="(the changes of objects under the units where the caller holds it)",
        )
    )
    async def changes(
        self,
        info: strawberry.Info,
        since: Annotated[
            str | None,
            strawberry.argument(
                description="游标：The `pageInfo.endCursor` of the previous page; from the "
                "oldest change kept when left out."
            ),
        ] = None,
        first: Annotated[
            int,
            strawberry.argument(
                description="条数：How many changes at most, from 1 to the server's feed page size."
            ),
        ] = DEFAULT_FIRST,
        kinds: Annotated[
            list[ChangeKind] | None,
            strawberry.argument(
                description="种类：Only changes of these kinds; all when left out. Keep it the "
                "same between pages: a cursor holds for the same `kinds`."
            ),
        ] = None,
    ) -> PlainConnection[Change]:
        session = await info.context.session()
        most = cast(FeedSettings, info.context.settings).feed_max_page_size
        if not 1 <= first <= most:
            raise BadInput(f"first must be between 1 and {most}", "first")
        try:
            page = await service.changes(
                session,
                since=since,
                limit=first,
                kinds=None if kinds is None else [k.value for k in kinds],
            )
        except FeedError as error:
            raise _refused(error) from error
        edges = [Edge(cursor=c.cursor, node=Change.from_change(c)) for c in page.changes]
        return PlainConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=False,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=page.end_cursor,
            ),
        )
