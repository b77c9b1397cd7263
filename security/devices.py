"""Which second-factor device verified a session, read on every signed-in request.

django-otp loads the device row on each request to confirm that it still exists, still belongs to the
user and is still confirmed. Those three facts (never the device's secret) are kept in the cache and
dropped whenever a device row is saved or deleted (security.signals), so a device removed by the
安全管理员 or by a reset stops verifying on the next request. The device handed to the request has only
those fields loaded; anything else it is asked for is read from the database, and saving it writes only
the loaded fields."""

from __future__ import annotations

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django_otp.models import Device

CACHE_SECONDS = 300  # a backstop only: every change to a device row drops its entry
_FIELDS = ("id", "user_id", "confirmed")
_MISSING = "missing"


def _key(persistent_id: str) -> str:
    return f"security:device:v1:{persistent_id}"


def _model(persistent_id: str):
    try:
        model_label, device_id = persistent_id.rsplit("/", 1)
        model = apps.get_model(model_label)
        return (model, int(device_id)) if issubclass(model, Device) else (None, None)
    except (ValueError, LookupError):
        return None, None


def device_for(persistent_id: str) -> Device | None:
    """The device with this persistent id (as Device.from_persistent_id), its identity fields only."""
    model, pk = _model(persistent_id)
    if model is None:
        return None
    key = _key(persistent_id)
    facts = cache.get(key)
    if facts is None:
        row = model.objects.filter(pk=pk).values_list(*_FIELDS).first()
        facts = _MISSING if row is None else list(row)
        cache.set(key, facts, CACHE_SECONDS)
    if facts == _MISSING:
        return None
    names = [f.attname for f in model._meta.concrete_fields if f.attname in _FIELDS]
    values = dict(zip(_FIELDS, facts, strict=True))
    return model.from_db("default", names, [values[name] for name in names])


def forget(device: Device) -> None:
    key = _key(device.persistent_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
