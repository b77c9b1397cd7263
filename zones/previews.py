"""Letters a zone's irreversible step issues, shown before it is confirmed (Transition.confirm): the 验收意见
of the three acceptance decisions.

The documents app renders letters and sits above zones, so it registers a preview per transition in its
AppConfig.ready() (`register`), as it does for the application pipeline (review.previews). Nothing here
writes, queues or renders a PDF.
"""

from __future__ import annotations

from collections.abc import Callable

from . import notices
from .states import ZONE_STATES

# transition name -> preview(zone, user, transition, opinion, extra) -> HTML of the letter as it would be issued
LETTERS: dict[str, Callable] = {}


def register(transition_name: str, preview: Callable) -> None:
    LETTERS[transition_name] = preview


def letter(zone, user, transition, opinion: str, extra: dict) -> str | None:
    preview = LETTERS.get(transition.name)
    return preview(zone, user, transition, opinion, extra) if preview else None


def message(zone, transition, opinion: str, extra: dict):
    """The notification the step would send, as its recipients read it (subject, body)."""
    return notices.zone_message(zone, transition, ZONE_STATES[zone.state].label, ZONE_STATES[transition.target].label,
                                opinion, extra.get("document_number") or "")
