from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import Http404


class RolePermissionMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Logged-in users without the permission get 403; anonymous users go to the login page.

    A view that defines get_permission_object() has its permission checked against that object
    (Django's mixin would ask without it). Views fetch the object through accounts.scoping, so
    users outside its scope get 404 before any 403. A view that must not even admit that the page
    exists for the wrong role sets `not_found_when_denied` (404 instead of 403).
    """

    raise_exception = False
    not_found_when_denied = False

    def get_permission_object(self):
        return None

    def has_permission(self):
        user = self.request.user
        if not user.is_authenticated:
            return False
        return user.has_perms(self.get_permission_required(), self.get_permission_object())

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            if self.not_found_when_denied:
                raise Http404
            self.raise_exception = True
        return super().handle_no_permission()
