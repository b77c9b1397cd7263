"""Password rules (AUTH_PASSWORD_VALIDATORS): length and character classes from the policy, and no
reuse of the last N passwords. The history keeps hashes only, written when a password is set."""

from __future__ import annotations

import string

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import policy
from .models import PasswordHistory

CLASSES = (
    ("upper", set(string.ascii_uppercase)),
    ("lower", set(string.ascii_lowercase)),
    ("digit", set(string.digits)),
)


def character_classes(password: str) -> int:
    """How many of the four classes (upper case, lower case, digits, anything else) the password uses."""
    used = {name for name, chars in CLASSES if any(c in chars for c in password)}
    if any(not any(c in chars for _name, chars in CLASSES) for c in password):
        used.add("other")
    return len(used)


class PolicyLengthValidator:
    def validate(self, password, user=None):
        minimum = policy.current().password_min_length
        if len(password) < minimum:
            raise ValidationError(
                ngettext("密码至少需要 %(min)d 个字符。", "密码至少需要 %(min)d 个字符。", minimum) % {"min": minimum},
                code="password_too_short", params={"min": minimum})

    def get_help_text(self):
        minimum = policy.current().password_min_length
        return ngettext("至少 %(min)d 个字符。", "至少 %(min)d 个字符。", minimum) % {"min": minimum}


class CharacterClassesValidator:
    def validate(self, password, user=None):
        needed = policy.current().password_min_classes
        if character_classes(password) < needed:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。") % {"n": needed},
                code="password_too_simple", params={"n": needed})

    def get_help_text(self):
        return _("须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。") % {"n": policy.current().password_min_classes}


class PasswordHistoryValidator:
    """Refuses any of the account's last N passwords (its current one included); records each new one."""

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        count = policy.current().password_history
        if not count:
            return
        recent = PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[:count]
        if any(check_password(password, encoded) for encoded in recent):
            raise ValidationError(
                ngettext("不能使用最近 %(n)d 次用过的密码。", "不能使用最近 %(n)d 次用过的密码。", count) % {"n": count},
                code="password_reused", params={"n": count})

    def password_changed(self, password, user=None):
        """Called by Django after a new password is saved (set_password + save)."""
        if user is None or user.pk is None:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        user.password_changed_at = timezone.now()
        get_user_model().objects.filter(pk=user.pk).update(password_changed_at=user.password_changed_at)
        keep = max(policy.current().password_history, 1)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[keep:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self):
        count = policy.current().password_history
        return ngettext("不能与最近 %(n)d 次用过的密码相同。", "不能与最近 %(n)d 次用过的密码相同。", count) % {"n": count}
