"""Optimistic concurrency for forms that edit shared data (a section of a draft, its rows, the formal
review, the rubric, the panel).

A form carries, signed, the values it was loaded with: its version (`token`). Saving compares three
values of every field: as loaded (base), as typed (mine) and as stored now (theirs).

- Only the fields this person changed are written: a field they did not touch never overwrites what
  someone else saved meanwhile.
- If someone else saved any value the form covers since it was loaded (theirs differs from base and
  from what this person typed), the save is refused with `EditConflict`: nothing is written, the page
  shows what the other person saved beside what this person typed, keeps everything typed, takes the
  other person's values into the fields this person did not touch, and carries the new version, so
  that saving again (after merging by hand where both wrote) goes through.

A service does this with a `Merge`: `form(...)` and `rows(...)` per part, then `check()`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.core import signing
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import Refused

SALT = "workflow.editing.loaded"
TOKEN_FIELD = "_loaded"


def value(v):
    """A value as compared and stored in a token: JSON-able, blank text and None alike, newlines as LF."""
    if v is None:
        return None
    if isinstance(v, models.Model):
        return v.pk
    if isinstance(v, bool | int):
        return v
    if isinstance(v, Decimal):
        return format(v.normalize(), "f") if v.is_finite() else str(v)
    if isinstance(v, datetime.date | datetime.datetime):
        return v.isoformat()
    if isinstance(v, str):
        text = v.replace("\r\n", "\n").strip()
        return text or None
    if isinstance(v, models.fields.files.FieldFile):
        return v.name or None
    if isinstance(v, list | tuple | set | frozenset | models.QuerySet):
        return sorted(str(value(item)) for item in v)
    return str(v)


def token(snapshot: dict) -> str:
    return signing.dumps(snapshot, salt=SALT, compress=True)


def read(raw) -> dict | None:
    """The loaded values a form carried; None when absent or not ours (then no comparison is made)."""
    if not raw:
        return None
    try:
        loaded = signing.loads(raw, salt=SALT)
    except signing.BadSignature:
        return None
    return loaded if isinstance(loaded, dict) else None


def instance_values(instance, names) -> dict:
    return {name: value(getattr(instance, name)) for name in names}


def display(v) -> str:
    if v is None or v == "" or v == []:
        return str(_("（空）"))
    if isinstance(v, bool):
        return str(_("是") if v else _("否"))
    if isinstance(v, list | tuple | set | frozenset | models.QuerySet):
        return "、".join(str(item) for item in v) or str(_("（空）"))
    return str(v)


def as_data(form_field, v) -> str:
    """A stored value as the form's widget posts it, so a re-bound form shows it."""
    widget = form_field.widget
    prepared = form_field.prepare_value(v)
    if isinstance(widget, forms.CheckboxInput):
        return "on" if prepared else ""
    formatted = widget.format_value(prepared)
    if isinstance(formatted, list):
        return formatted[0] if formatted else ""
    return "" if formatted is None else str(formatted)


@dataclass
class Change:
    """One value someone else saved since the form was loaded."""

    label: str
    theirs: str
    mine: str
    field: str = ""  # the form field it concerns, when one does (to show the conflict at the field)


class EditConflict(Refused):
    """Someone else saved what this form edits since it was loaded; nothing was written."""

    def __init__(self, changes: list[Change], new_token: str, refresh: dict):
        super().__init__(str(_("在您编辑期间，其他人已保存了这里的内容。您填写的内容都已保留在下方；请对照他人保存的内容修改后再保存。")))
        self.changes = changes
        self.token = new_token
        self.refresh = refresh  # html name -> posted value of the other person's data, for untouched fields

    def at_fields(self, form):
        """Each conflict also at its field of `form` (bound to `data()`): what the other person saved."""
        for change in self.changes:
            if change.field and change.field in form.fields:
                form.add_error(change.field, _("在您编辑期间，其他人已将此项保存为：“%(theirs)s”。下方保留的是您填写的内容，请对照修改后再保存。")
                               % {"theirs": change.theirs})

    def data(self, post):
        """The POST to re-bind the page's forms with: everything typed, the other person's values in the
        fields this person did not touch, and the new version."""
        data = post.copy()
        for name, posted in self.refresh.items():
            if isinstance(posted, list):
                data.setlist(name, posted)
            elif posted == "":
                data.pop(name, None)  # an unticked checkbox is absent from a POST
            else:
                data[name] = posted
        data[TOKEN_FIELD] = self.token
        return data


ROW_REMOVED = gettext_lazy("（此项已被他人删除）")
ROW_ADDED = gettext_lazy("他人新增")


@dataclass
class Merge:
    """Compares one save's forms with the values they were loaded with and the values stored now."""

    loaded: dict | None
    changes: list = field(default_factory=list)
    refresh: dict = field(default_factory=dict)
    current: dict = field(default_factory=dict)

    @property
    def checking(self) -> bool:
        return self.loaded is not None

    def _compare(self, label_prefix, form, names, base, theirs_raw, mine_raw) -> list[str]:
        theirs = {n: value(theirs_raw.get(n)) for n in names}
        mine = {n: value(mine_raw.get(n)) for n in names}
        base = {n: base.get(n, theirs[n]) for n in names} if base is not None else dict(theirs)
        changed = [n for n in names if mine[n] != base[n]]
        for n in names:
            if theirs[n] != base[n] and theirs[n] != mine[n]:
                fields = form.fields if form is not None else {}
                self.changes.append(Change(f"{label_prefix}{fields[n].label if n in fields else n}",
                                           display(theirs_raw.get(n)), display(mine_raw.get(n)), n))
                if n not in changed and n in fields:
                    self.refresh[form.add_prefix(n)] = as_data(form.fields[n], theirs_raw.get(n))
        return changed

    def form(self, key: str, form, names, stored, mine: dict | None = None) -> list[str]:
        """One form over one stored object (or dict of stored values): the names this save writes.
        `mine` defaults to the form's cleaned data."""
        names = list(names)
        theirs = stored if isinstance(stored, dict) else {n: getattr(stored, n) for n in names}
        self.current[key] = {n: value(theirs.get(n)) for n in names}
        if not self.checking:
            return names
        mine = form.cleaned_data if mine is None else mine
        return self._compare("", form, names, (self.loaded or {}).get(key), theirs, mine)

    def rows(self, key: str, formset, names, stored_rows, label) -> list[tuple]:
        """A formset over the rows stored now (`stored_rows`, a queryset). Returns the writes:
        (form, "delete" | "new" | [changed names])."""
        names = list(names)
        stored = {obj.pk: obj for obj in stored_rows}
        self.current[key] = {str(pk): instance_values(obj, names) for pk, obj in stored.items()}
        base_rows = (self.loaded or {}).get(key, {}) if self.checking else {}
        deleted = set(getattr(formset, "deleted_forms", []) or [])
        seen, writes = set(), []
        for index, form in enumerate(formset.forms):
            pk = form.instance.pk
            if pk is None:
                if form.has_changed() and form not in deleted:
                    writes.append((form, "new"))
                continue
            seen.add(str(pk))
            prefix = f"{label(form, index)} · "
            obj = stored.get(pk)
            if obj is None:
                self.changes.append(Change(prefix.rstrip(" ·"), str(ROW_REMOVED), ""))
                continue
            theirs = {n: getattr(obj, n) for n in names}
            mine = {n: form.cleaned_data.get(n) for n in names}
            if not self.checking:
                writes.append((form, "delete" if form in deleted else names))
                continue
            base = base_rows.get(str(pk))
            if form in deleted:
                # Deleting a row someone else changed meanwhile is a conflict too.
                before = len(self.changes)
                # They changed nothing in the row they delete: their "typed" values are the loaded ones.
                self._compare(prefix, form, names, base, theirs, theirs if base is None else dict(base))
                if len(self.changes) == before:
                    writes.append((form, "delete"))
                continue
            changed = self._compare(prefix, form, names, base, theirs, mine)
            # A field of the form that is not a stored value (a new file for the row) is a change too.
            extra = [n for n in form.changed_data if n not in names and n not in ("id", "DELETE")]
            if changed or extra:
                writes.append((form, changed))
        if self.checking:
            for pk, obj in stored.items():
                if str(pk) not in seen and str(pk) not in base_rows:
                    self.changes.append(Change(f"{ROW_ADDED}: {obj}", display(str(obj)), ""))
        return writes

    def check(self):
        if self.changes:
            raise EditConflict(self.changes, token(self.current), self.refresh)

