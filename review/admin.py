from django.contrib import admin

from accounts.admin_access import BusinessRecordAdmin, CallManagementAdmin

from .models import Criterion, TransitionLog


@admin.register(Criterion)
class CriterionAdmin(CallManagementAdmin):
    """Criterion.clean() refuses new criteria and changed weights or maxima once scoring started."""

    list_display = ("call", "name", "weight", "max_score", "position")
    list_filter = ("call",)
    list_select_related = ("call",)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.call.scoring_started_at:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(TransitionLog)
class TransitionLogAdmin(BusinessRecordAdmin):
    list_display = ("created_at", "application", "transition", "from_state", "to_state", "actor", "actor_role")
    list_filter = ("transition", "actor_role")
    list_select_related = ("application", "actor")
