from django.contrib import admin

from portal.admin_site import NationalStaffAdmin, ReadOnlyAdmin

from .models import Criterion, TransitionLog


@admin.register(Criterion)
class CriterionAdmin(NationalStaffAdmin):
    list_display = ("call", "name", "weight", "max_score", "position")
    list_filter = ("call",)


@admin.register(TransitionLog)
class TransitionLogAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "application", "transition", "from_state", "to_state", "actor", "actor_role")
    list_filter = ("transition", "actor_role")
    list_select_related = ("application", "actor")
