"""States and transitions as data, and `Workflow.perform()`, the only code that changes a state.

A `Workflow` binds one model, its state field, its log model and its two tables. Everything a
transition needs to know is a field of its `Transition` row: who may act, from where, to where,
what must hold (guards), what it writes besides the state (effects, each declaring its fields),
whether a written opinion is required and which extra inputs it takes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import Refused


class TransitionError(Refused):
    """A transition was refused; the message is for the user.

    `field_errors` maps an input ("opinion", "rank", "document_number") to its message, so a form
    (or an API response) can show it next to the input it concerns.
    """


class StaleStateError(TransitionError):
    """Someone else changed the object first."""


@dataclass(frozen=True)
class State:
    """One state of a pipeline and how the portal treats objects in it."""

    value: str
    label: object
    stage: object = ""  # the guide's step it belongs to (材料报送, 组织推荐 …)
    badge: str = "text-bg-secondary"  # Bootstrap badge classes
    owner_may_edit: bool = False  # the applicant may change its content in this state
    queues: frozenset = frozenset()  # named lists that include objects in this state
    final: bool = False  # no transition leaves it


def writes(*fields: str):
    """Declare the model fields an effect writes, so `perform()` saves exactly those."""

    def mark(effect):
        effect.writes = tuple(fields)
        return effect

    return mark


@dataclass(frozen=True)
class Transition:
    name: str
    label: object
    sources: frozenset
    target: str
    roles: frozenset
    opinion_required: bool = False
    opinion_label: object = _("意见")
    inputs: tuple[str, ...] = ()  # extra inputs the step takes
    required_inputs: tuple[str, ...] = ()
    guards: tuple[Callable, ...] = ()  # guard(obj, user, context) -> list of problems, or {input: problem}
    effects: tuple[Callable, ...] = ()  # effect(obj, user, transition, context); see `writes`
    style: str = "primary"
    notify_roles: tuple = field(default=())  # the next actors told, besides the owner
    confirm: bool = False  # cannot be undone: the user confirms on a preview before it is performed

    @property
    def written_fields(self) -> set[str]:
        return {name for effect in self.effects for name in getattr(effect, "writes", ())}


def transition(name, label, sources, target, roles, **kw) -> Transition:
    return Transition(name=name, label=label, sources=frozenset(sources), target=target, roles=frozenset(roles), **kw)


# Refusals a workflow may word for its own object ("该申报…", "该实验区…").
DEFAULT_MESSAGES = {
    "not_visible": _("您无权处理该事项。"),
    "wrong_state": _("当前状态为“%(state)s”,不能执行“%(action)s”。"),
    "stale": _("该事项已被他人处理,当前状态为“%(state)s”,您的操作未执行。请查看最新记录后再操作。"),
}


class Workflow:
    """One object's pipeline: its model, state field, log and tables, and the hooks that tie it to
    the domain (who may see an object, what the log entry records besides the step, who is told:
    `notify(log_entry_pk, transition)` runs inside the transaction, so whatever it writes, e.g. inbox
    rows and outbox intents, commits with the change).

    `audit(obj, user, name, refusal, details)` is told of every attempt to perform a transition: inside
    the transaction, last, when it succeeds (`refusal` None; details: from_state, to_state), and after
    the rollback when it is refused (`refusal` the TransitionError; details: the state it met).
    """

    def __init__(self, *, model, log_model, log_subject: str, states: Iterable[State],
                 transitions: Iterable[Transition], visible: Callable, input_messages: Mapping | None = None,
                 log_fields: Callable | None = None, notify: Callable | None = None, state_field: str = "state",
                 changed_at_field: str | None = "state_changed_at", always_saved: Iterable[str] = ("updated_at",),
                 messages: Mapping | None = None, related: Iterable[str] = (), audit: Callable | None = None,
                 log_inputs: Iterable[str] = ()):
        self.model = model
        self.log_model = log_model
        self.log_subject = log_subject
        self.states = {s.value: s for s in states}
        self.transitions = {t.name: t for t in transitions}
        self.visible = visible
        self.input_messages = dict(input_messages or {})
        self.log_fields = log_fields or (lambda obj: {})
        self.notify = notify
        self.state_field = state_field
        self.changed_at_field = changed_at_field
        self.always_saved = tuple(always_saved)
        self.messages = {**DEFAULT_MESSAGES, **(messages or {})}
        self.related = tuple(related)
        self.audit = audit
        # Inputs written on the log entry as well (a field of the log model each), as the effects left
        # them in the context (an effect may fill in a proposed value).
        self.log_inputs = tuple(log_inputs)
        self._validate()

    def _validate(self):
        for t in self.transitions.values():
            unknown = (set(t.sources) | {t.target}) - set(self.states)
            if unknown:
                raise ValueError(f"transition {t.name!r} names unknown states {sorted(unknown)}")
            missing = set(t.required_inputs) - set(t.inputs)
            if missing or set(t.inputs) - set(self.input_messages):
                raise ValueError(f"transition {t.name!r}: every input needs a message, every required one an input")
        for value, state in self.states.items():
            leaves = any(value in t.sources for t in self.transitions.values())
            if state.final == leaves:
                raise ValueError(f"state {value!r}: final={state.final} but a transition {'leaves' if leaves else 'never leaves'} it")

    def register_effect(self, transition_name: str, effect: Callable) -> None:
        """A higher app adds an effect to one transition (e.g. zones: the 批复 creates the zone).

        The effect runs inside `perform()`'s transaction after the table's own effects, with the same
        signature `effect(obj, user, transition, context)`; the fields it declares with `@writes` are
        saved with the others. If it raises, the whole transition rolls back. Registering the same
        function twice is a no-op (ready() may run more than once in tests).
        """
        current = self.transitions[transition_name]
        if effect in current.effects:
            return
        self.transitions[transition_name] = replace(current, effects=(*current.effects, effect))

    # -- reading the tables -------------------------------------------------------------------

    def state(self, value) -> State:
        return self.states[value]

    def available(self, obj, user, *, visible: bool | None = None) -> list[Transition]:
        """Transitions this user could attempt now (role, scope and source state; guards not run).

        `visible` lets a page that already scoped the object skip the scope query.
        """
        if not user.is_authenticated:
            return []
        current = getattr(obj, self.state_field)
        candidates = [t for t in self.transitions.values() if current in t.sources and user.role in t.roles]
        if not candidates:
            return []
        if visible is None:
            visible = self.visible(user, obj)
        return candidates if visible else []

    def check(self, obj, user, name: str, opinion: str = "", extra: dict | None = None) -> list[str]:
        """Every reason the transition is refused now; empty when it may go ahead."""
        transition = self.transitions.get(name)
        refusal = self._refusal(obj, user, transition)
        if refusal:
            return [refusal]
        problems, field_errors = self._problems(obj, user, transition, opinion, extra or {})
        return problems + list(field_errors.values())

    def refusal(self, obj, user, name: str, opinion: str = "", extra: dict | None = None):
        """The TransitionError `perform()` would raise now (with its field errors), or None: for a
        confirmation page that must not show a step it would then refuse."""
        transition = self.transitions.get(name)
        refusal = self._refusal(obj, user, transition)
        if refusal:
            return TransitionError(refusal)
        extra = {k: v for k, v in (extra or {}).items() if k in self.input_messages}
        problems, field_errors = self._problems(obj, user, transition, (opinion or "").strip(), extra)
        if not problems and not field_errors:
            return None
        return TransitionError(" ".join(problems + list(field_errors.values())), field_errors)

    # -- performing ---------------------------------------------------------------------------

    def perform(self, obj, user, name: str, opinion: str = "", *, expected_state: str | None = None,
                extra: dict | None = None):
        """Lock the row, check, change the state, run effects, save, write the log entry, notify (in
        the same transaction). Returns the log entry. `expected_state` is the state the user saw: if the row changed
        meanwhile the call is refused instead of acting on something the user did not see."""
        opinion = (opinion or "").strip()
        extra = {k: v for k, v in (extra or {}).items() if k in self.input_messages}
        try:
            entry = self._perform(obj, user, name, opinion, expected_state, extra)
        except TransitionError as refusal:
            if self.audit is not None:
                current = self.model.objects.filter(pk=obj.pk).values_list(self.state_field, flat=True).first()
                self.audit(obj, user, name, refusal, {"state": current, "expected_state": expected_state})
            raise
        obj.refresh_from_db()
        return entry

    def _perform(self, obj, user, name, opinion, expected_state, extra):
        with transaction.atomic():
            # Lock only this row (not rows joined for reading).
            locked = self.model.objects.select_for_update(of=("self",)).select_related(*self.related).get(pk=obj.pk)
            transition = self.transitions.get(name)
            refusal = self._refusal(locked, user, transition)
            if refusal:
                raise TransitionError(refusal)
            current = getattr(locked, self.state_field)
            if expected_state is not None and current != expected_state:
                raise StaleStateError(self.messages["stale"] % {"state": self.states[current].label})
            problems, field_errors = self._problems(locked, user, transition, opinion, extra)
            if problems or field_errors:
                raise TransitionError(" ".join(problems + list(field_errors.values())), field_errors)
            context = {"opinion": opinion, "from_state": current, **extra}
            setattr(locked, self.state_field, transition.target)
            saved = {self.state_field, *self.always_saved, *transition.written_fields}
            if self.changed_at_field:
                setattr(locked, self.changed_at_field, timezone.now())
                saved.add(self.changed_at_field)
            for effect in transition.effects:
                effect(locked, user, transition, context)
            locked.save(update_fields=sorted(saved))
            entry = self.log_model.objects.create(
                **{self.log_subject: locked}, transition=name, from_state=current, to_state=transition.target,
                actor=user, actor_organisation_id=user.organisation_id, actor_role=user.role, opinion=opinion,
                **{k: context[k] for k in self.log_inputs if context.get(k) not in (None, "")},
                **self.log_fields(locked))
            if self.notify is not None:
                # Inside the transaction: the messages (and the e-mail they queue in the outbox) commit
                # with the change or not at all; nothing reaches the broker before the commit.
                self.notify(entry.pk, transition)
            if self.audit is not None:
                self.audit(locked, user, name, None, {"from_state": current, "to_state": transition.target})
        obj.refresh_from_db()
        return entry

    def _refusal(self, obj, user, transition) -> str | None:
        """Who may act at all: checked before anything that would reveal the object's state."""
        if transition is None:
            return str(_("未知操作。"))
        if not user.is_authenticated or user.role not in transition.roles:
            return str(_("您的角色无权执行此操作。"))
        if not self.visible(user, obj):
            return str(self.messages["not_visible"])
        return None

    def _problems(self, obj, user, transition, opinion, extra):
        """What stops a transition this user may attempt (role and scope already checked)."""
        current = getattr(obj, self.state_field)
        if current not in transition.sources:
            return [str(self.messages["wrong_state"] % {
                "state": self.states[current].label, "action": transition.label})], {}
        field_errors = {}
        if transition.opinion_required and not (opinion or "").strip():
            field_errors["opinion"] = str(_("请填写%(label)s。") % {"label": transition.opinion_label})
        for key in transition.required_inputs:
            if extra.get(key) in (None, ""):
                field_errors[key] = str(self.input_messages[key])
        context = {"opinion": opinion, **extra}
        problems = []
        for guard in transition.guards:
            found = guard(obj, user, context)
            if isinstance(found, Mapping):  # problems of one input each: shown beside that input
                field_errors.update({name: str(text) for name, text in found.items() if name not in field_errors})
            else:
                problems.extend(str(p) for p in found)
        return problems, field_errors
