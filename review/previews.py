"""What a step that cannot be undone (Transition.confirm) will issue, shown before it is performed.

The documents app renders letters and sits above review, so it registers a preview per transition in
its AppConfig.ready() (`register`); a step without a letter previews the message its recipients will
read. Nothing here writes, queues or renders a PDF: a preview is HTML in the confirmation page.
"""

from __future__ import annotations

from collections.abc import Callable

from notifications.messages import Message

# transition name -> preview(application, user, opinion, extra) -> HTML of the letter as it would be issued
LETTERS: dict[str, Callable] = {}


def register(transition_name: str, preview: Callable) -> None:
    LETTERS[transition_name] = preview


def letter(application, user, transition, opinion: str, extra: dict) -> str | None:
    preview = LETTERS.get(transition.name)
    return preview(application, user, opinion, extra) if preview else None


def message(application, transition, opinion: str, extra: dict):
    """The notification the step would send, as its recipients will read it (subject, body)."""
    return Message.keyed("review.transition", zone=str(application), transition=transition.name,
                         from_state=application.state, to_state=transition.target, opinion=opinion,
                         document_number=extra.get("document_number") or "").rendered()
