"""The recruits' mutations, as the root ``Mutation`` takes them: ``RecruitMutations`` and
``FilingMutations``.

Each mutation is written beside the others of its kind (``recruit_mutations``,
``step_mutations``, ``filing_mutations``); ``RecruitMutations`` gathers them here.
"""

from __future__ import annotations

import strawberry

from .filing_mutations import FilingMutations
from .recruit_mutations import (
    CreateRecruitMutation,
    ImportRecruitsMutation,
    TransferRecruitMutation,
)
from .step_mutations import CorrectStepMutation, ProbationMutations, RecordStepMutation


# The fields follow the bases in order, and schema.graphql (the contract) records that order:
# reordering the bases reorders the schema.
@strawberry.type
class RecruitMutations(
    ProbationMutations,
    ImportRecruitsMutation,
    TransferRecruitMutation,
    CorrectStepMutation,
    CreateRecruitMutation,
    RecordStepMutation,
):
    pass


__all__ = ["FilingMutations", "RecruitMutations"]
