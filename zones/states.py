"""The states of a zone and of its reports, indicator sets and rectifications, as data (like
applications/states.py); the transitions between them are in zones/transitions.py."""

from workflow.machine import State

from .enums import IndicatorState as I
from .enums import RectificationState as R
from .enums import ReportState as P
from .enums import ZoneState as Z

PRIMARY, SUCCESS, WARNING, DANGER = "text-bg-primary", "text-bg-success", "text-bg-warning", "text-bg-danger"
NEUTRAL, LIGHT = "text-bg-secondary", "text-bg-light border"

# Named lists (State.queues).
ACTIVE = "active"  # under construction or in acceptance: reports and indicators are still due
NATIONAL_TODO = "national_todo"  # waiting for the national office
OWNER_TODO = "owner_todo"  # waiting for the zone (the city)
PROVINCE_TODO = "province_todo"  # waiting for the province


def _s(enum, value, badge, *queues, owner_may_edit=False, final=False):
    return State(value=value, label=enum(value).label, badge=badge, queues=frozenset(queues),
                 owner_may_edit=owner_may_edit, final=final)


ZONE_STATES = {s.value: s for s in (
    _s(Z, Z.CONSTRUCTION, PRIMARY, ACTIVE),
    _s(Z, Z.ACCEPTANCE_APPLIED, PRIMARY, ACTIVE, NATIONAL_TODO),
    _s(Z, Z.ACCEPTANCE_REVIEW, PRIMARY, ACTIVE, NATIONAL_TODO),
    _s(Z, Z.RECTIFYING, WARNING, ACTIVE, OWNER_TODO),
    _s(Z, Z.ACCEPTED, SUCCESS),
    _s(Z, Z.NOT_ACCEPTED, DANGER),
    _s(Z, Z.REVOKED, DANGER, final=True),
)}

REPORT_STATES = {s.value: s for s in (
    _s(P, P.DRAFT, LIGHT, OWNER_TODO, owner_may_edit=True),
    _s(P, P.SUBMITTED, SUCCESS),
    _s(P, P.RETURNED, WARNING, OWNER_TODO, owner_may_edit=True),
)}

INDICATOR_STATES = {s.value: s for s in (
    _s(I, I.DRAFT, LIGHT, OWNER_TODO, owner_may_edit=True),
    _s(I, I.SUBMITTED, PRIMARY, PROVINCE_TODO),
    _s(I, I.RETURNED, WARNING, OWNER_TODO, owner_may_edit=True),
    _s(I, I.CONFIRMED, SUCCESS, final=True),
)}

RECTIFICATION_STATES = {s.value: s for s in (
    _s(R, R.OPEN, WARNING, OWNER_TODO),
    _s(R, R.ANSWERED, PRIMARY),
    _s(R, R.CLOSED, SUCCESS, final=True),
)}

for _table, _enum in ((ZONE_STATES, Z), (REPORT_STATES, P), (INDICATOR_STATES, I), (RECTIFICATION_STATES, R)):
    assert set(_table) == set(_enum.values), "every state has a row"


def in_queue(table, queue: str) -> list[str]:
    return [value for value, state in table.items() if queue in state.queues]


def badge(table, value) -> str:
    row = table.get(value)
    return row.badge if row else NEUTRAL
