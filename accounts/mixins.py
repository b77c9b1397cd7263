from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin


class RolePermissionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Logged-in users without the permission get 403; anonymous users go to the login page."""

    raise_exception = False

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            self.raise_exception = True
        return super().handle_no_permission()
