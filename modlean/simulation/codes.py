"""Integer codes of the simulator: visit stages, item routes and queue disciplines.

The plan stores them in narrow numpy arrays, the engine and the outcome compare
against them. They are :class:`~enum.IntEnum` members, so they compare, hash and
index as the plain ints they stand for (``Stage.L1 == 0``); the module-level
names (``L1``, ``AUTO_APPROVE`` ...) are the same members, for short code.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = [
    "APPEAL",
    "AUTO_APPROVE",
    "AUTO_REJECT",
    "BACKLOG",
    "HUMAN",
    "L1",
    "L2",
    "QA_REVIEW",
    "REWORK",
    "ROUTES",
    "STAGES",
    "STEP",
    "UNLIMITED",
    "Discipline",
    "ItemRoute",
    "Stage",
]


class Stage(IntEnum):
    """A human visit's stage, in the order an item meets them."""

    L1 = 0
    L2 = 1
    QA_REVIEW = 2
    REWORK = 3
    APPEAL = 4
    STEP = 5  # a workflow step's visit (which step: the plan's ``v_step``)


#: Stage names, by code (the ``stage`` of a visit).
STAGES = ("l1", "l2", "qa", "rework", "appeal", "step")
L1, L2, QA_REVIEW, REWORK, APPEAL = Stage.L1, Stage.L2, Stage.QA_REVIEW, Stage.REWORK, Stage.APPEAL
STEP = Stage.STEP

#: The capacity of the wait pseudo-pool: a workflow's wait steps never queue.
UNLIMITED = 1 << 40


class ItemRoute(IntEnum):
    """How an item leaves the ML pre-filter (the ``route`` column of the item table)."""

    AUTO_APPROVE = 0
    AUTO_REJECT = 1
    HUMAN = 2  # scored, then sent to human review (or not scored: model disabled)
    BACKLOG = 3  # waiting for human review when the simulation starts


#: Route names, by code.
ROUTES = ("auto_approve", "auto_reject", "human", "backlog")
AUTO_APPROVE, AUTO_REJECT = ItemRoute.AUTO_APPROVE, ItemRoute.AUTO_REJECT
HUMAN, BACKLOG = ItemRoute.HUMAN, ItemRoute.BACKLOG


class Discipline(IntEnum):
    """A pool's queue order (``Pool.discipline``)."""

    FIFO = 0  # first come, first served
    PRIORITY = 1  # routing priority (smaller first), then first come
    SLA_AGE = 2  # earliest SLA deadline first
    SCORE = 3  # highest model score first (items without a score last)

    @classmethod
    def of(cls, name: str) -> Discipline:
        """The code of a discipline named as in a scenario (``"sla_age"`` -> SLA_AGE)."""
        return cls[name.upper()]
