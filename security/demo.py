"""Demo second factors: every demo account that must use one is enrolled with the same, published
TOTP secret, so that any authenticator app, or `oathtool --totp -b SECRET`, gives its code. Idempotent.
(The secret is RFC 6238's own test key; like the demo password it is for demonstrations only.)"""

from base64 import b32decode

from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import ACCOUNTS, EXPERTS

from .policy import second_factor_required

DEMO_TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
DEMO_TOTP_KEY_HEX = b32decode(DEMO_TOTP_SECRET).hex()


@transaction.atomic
def seed_second_factors(stdout=None):
    usernames = [row[0] for row in ACCOUNTS] + [row[0] for row in EXPERTS]
    for user in get_user_model().objects.filter(username__in=usernames):
        if not second_factor_required(user):
            continue
        TOTPDevice.objects.filter(user=user).exclude(name="demo").delete()
        TOTPDevice.objects.update_or_create(
            user=user, name="demo", defaults={"key": DEMO_TOTP_KEY_HEX, "confirmed": True})
