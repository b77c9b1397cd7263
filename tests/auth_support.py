"""Signing in as a person does: the login form, then the second step with a code from the library
(django_otp.oath.TOTP, RFC 6238), or a recovery code."""

import re
import time
from base64 import b32decode

from django.conf import settings
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from .conftest import PASSWORD

LOGIN_URL = "/accounts/login/"
VERIFY_URL = "/accounts/two-factor/"
ENROL_URL = "/accounts/two-factor/setup/"


def code_for_key(bin_key: bytes, last_t: int = -1, step: int = 30) -> str:
    """The code an authenticator shows now; if the device already accepted this time step's code
    (the library refuses a code twice), the next step's, which the device's tolerance accepts."""
    totp = TOTP(bin_key, step=step)
    totp.time = time.time()
    if totp.t() <= last_t:
        totp.time += step * (last_t + 1 - totp.t())
    return f"{totp.token():06d}"


def code_for(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return code_for_key(device.bin_key, device.last_t, device.step)


def secret_on_page(html: str) -> bytes:
    """The base32 secret the enrolment page shows (as a person would type it into an authenticator)."""
    match = re.search(r"data-totp-secret>([A-Z2-7 ]+)<", html)
    assert match, "no secret on the enrolment page"
    secret = match.group(1).replace(" ", "")
    return b32decode(secret + "=" * (-len(secret) % 8))


def csrf(client) -> str:
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def password_step(client: Client, username: str, password: str = PASSWORD, **extra):
    client.get(LOGIN_URL, **extra)
    return client.post(LOGIN_URL, {"username": username, "password": password, "csrfmiddlewaretoken": csrf(client)},
                       **extra)


def second_step(client: Client, code: str, **extra):
    client.get(VERIFY_URL, **extra)
    return client.post(VERIFY_URL, {"code": code, "csrfmiddlewaretoken": csrf(client)}, **extra)


def sign_in(client: Client, user, password: str = PASSWORD, **extra):
    """Password, then (enrolling first if the account has no authenticator yet) the second step.
    Returns the response that completes the sign-in."""
    response = password_step(client, user.username, password, **extra)
    assert response.status_code == 302, response.content.decode()[:2000]
    if response["Location"] == ENROL_URL:
        page = client.get(ENROL_URL, **extra)
        code = code_for_key(secret_on_page(page.content.decode()))
        return client.post(ENROL_URL, {"code": code, "csrfmiddlewaretoken": csrf(client)}, **extra)
    if response["Location"] == VERIFY_URL:
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        return second_step(client, code_for(device), **extra)
    return response
