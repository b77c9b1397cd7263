"""Messages stored as a key with parameters, so that each reader sees them in their own language.

A sending app registers, once (in its AppConfig.ready()), a renderer per key: `renderer(params)` returns
(subject, body) in the language active when it is called. `text(notification)` renders a stored
notification for the reader (the inbox, in the request's language; e-mail, in the portal's language).
A plain `Message(subject, body)` has no key and is shown as it was written. Chinese text gets full-width
punctuation (typography) wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import get_language, override

from typography import fullwidth

RENDERERS: dict[str, Callable[[dict], tuple[str, str]]] = {}


@dataclass(frozen=True)
class Message:
    """What to tell: plain text (`Message(subject, body)`), or a registered key with its parameters
    (`Message.keyed("review.transition", zone=…)`), rendered for each reader."""

    subject: str = ""
    body: str = ""
    key: str = ""
    params: dict = field(default_factory=dict)

    @classmethod
    def keyed(cls, key: str, **params) -> Message:
        if key not in RENDERERS:
            raise KeyError(f"no renderer registered for message key {key!r}")
        return cls(key=key, params=params)

    def rendered(self, language: str = "zh-hans") -> tuple[str, str]:
        return render(self.key, self.params, self.subject, self.body, language)


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


def register(key: str, renderer: Callable[[dict], tuple[str, str]]) -> None:
    RENDERERS[key] = renderer


def render(key, params, subject, body, language=None) -> tuple[str, str]:
    language = language or get_language() or "zh-hans"
    renderer = RENDERERS.get(key) if key else None
    if renderer is not None:
        with override(language):
            subject, body = renderer(dict(params or {}))
    if language.startswith("zh"):
        subject, body = fullwidth(str(subject)), fullwidth(str(body))
    return str(subject), str(body)


def text(notification, language=None) -> Text:
    """The notification in the reader's language (the active one unless given)."""
    return Text(*render(notification.message_key, notification.params, notification.subject, notification.body,
                        language))
