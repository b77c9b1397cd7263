"""Signing in is Django's ModelBackend, with two shortcuts for what every request asks:

- the signed-in user is read together with the organisation every page's navigation bar names (one
  query instead of two), and served from the cache while neither row changed (`accounts.signed_in`);
- the portal's own permissions (`portal.*`) are decided by its rules alone (portal/rules.py, through
  rules' backend), so this backend does not read the user's and groups' permission rows to refuse
  them (two queries on every page that asks about an action the user may not take). Django's model
  permissions (the admin's) are answered as before."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from . import signed_in

RULES_PREFIX = "portal."


class PortalModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = signed_in.user(
            user_id, lambda: get_user_model()._default_manager.select_related("organisation").filter(pk=user_id).first())
        return user if user is not None and self.user_can_authenticate(user) else None

    def has_perm(self, user_obj, perm, obj=None):
        if perm.startswith(RULES_PREFIX):
            return False
        return super().has_perm(user_obj, perm, obj)
