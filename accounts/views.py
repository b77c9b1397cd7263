from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.generic import TemplateView

from .enums import Role
from .mixins import RolePermissionMixin
from .models import Organisation, Province

WORKSPACE_URLS = {
    Role.APPLICANT: "applications:workspace",
    Role.PROVINCIAL: "review:provincial_workspace",
    Role.NATIONAL: "review:national_workspace",
    Role.EXPERT: "review:expert_workspace",
    Role.ADMIN: "accounts:admin_workspace",
    Role.SECURITY_ADMIN: "security:workspace",
    Role.AUDIT_ADMIN: "audit:records",
}


@login_required
def home(request):
    """Each user lands on their own role's workspace."""
    user = request.user
    if user.is_superuser and not user.role:
        return redirect("admin:index")  # the emergency account has no workspace of its own
    target = WORKSPACE_URLS.get(user.role)
    if target is None:
        return redirect("accounts:no_role")
    return redirect(target)


class NoRoleView(TemplateView):
    template_name = "accounts/no_role.html"


class AdminWorkspaceView(RolePermissionMixin, TemplateView):
    permission_required = "portal.admin_workspace"
    template_name = "accounts/admin_workspace.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["user_count"] = get_user_model().objects.count()
        ctx["organisation_count"] = Organisation.objects.count()
        ctx["province_count"] = Province.objects.count()
        return ctx
