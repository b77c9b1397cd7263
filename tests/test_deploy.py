"""Production settings and the deployment file are checked by the tools that will run them."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_with_debug_off():
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "x" * 20 + "production-like-secret-key-for-check-0123456789",
           "DJANGO_SETTINGS_MODULE": "portal.settings", "ALLOWED_HOSTS": "portal.example.cn"}
    env.pop("SECURE_HTTPS", None)
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_the_cache_is_not_shared():
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "x" * 20 + "production-like-secret-key-for-check-0123456789",
           "DJANGO_SETTINGS_MODULE": "portal.settings", "ALLOWED_HOSTS": "portal.example.cn", "REDIS_URL": ""}
    env.pop("SECURE_HTTPS", None)
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "portal.W001" in result.stdout + result.stderr


def test_settings_refuse_to_start_without_secret_key_in_production():
    env = {**os.environ, "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "portal.settings"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_are_secure_by_default():
    code = ("import django;django.setup();from django.conf import settings as s;"
            "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_HSTS_SECONDS>0, s.X_FRAME_OPTIONS, \"'unsafe-inline'\" in s.CONTENT_SECURITY_POLICY.split('script-src')[1].split(';')[0])")
    env = {**os.environ, "SECRET_KEY": "y" * 60, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    for key in ("DEBUG", "SECURE_HTTPS"):
        env.pop(key, None)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.split() == ["False", "True", "True", "True", "True", "DENY", "False"], result.stderr


@pytest.mark.skipif(shutil.which("docker-compose") is None and shutil.which("docker") is None,
                    reason="needs docker-compose (scripts/setup.sh installs it)")
def test_docker_compose_file_is_valid():
    cmd = ["docker-compose", "-f", "docker-compose.yml", "config"] if shutil.which("docker-compose") else \
        ["docker", "compose", "-f", "docker-compose.yml", "config"]
    env = {**os.environ, "SECRET_KEY": "compose-check", "AUDIT_CHAIN_KEY": "compose-check"}
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for service in ("postgres", "redis", "proxy", "web", "worker", "beat"):
        assert f"  {service}:" in result.stdout
    services = _service_blocks(result.stdout)
    # Only the TLS proxy is published; gunicorn is reachable inside the network only, and the portal
    # believes forwarding headers from the proxy's fixed address alone.
    assert [name for name, block in services.items() if "published:" in block] == ["proxy"]
    assert "published: 443" in services["proxy"] and "published: 80" in services["proxy"]
    proxy_address = re.search(r"ipv4_address: ([0-9.]+)", services["proxy"]).group(1)
    for name in ("web", "worker", "beat", "migrate"):
        assert f"TRUSTED_PROXIES: {proxy_address}" in services[name], name
    assert "/etc/nginx/conf.d/default.conf" in services["proxy"]
    nginx = (ROOT / "deploy" / "nginx" / "portal.conf").read_text()
    assert "proxy_set_header X-Forwarded-For   $remote_addr;" in nginx  # overwritten, never appended
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in nginx

    # Two database roles: the owner migrates, the serving role runs the portal (docs/security.md).
    assert "postgres://portal:" in result.stdout and "postgres://portal_app:" in result.stdout
    assert "grant_serving_role portal_app" in result.stdout


def _service_blocks(config: str) -> dict[str, str]:
    """`docker-compose config` output, cut into one text block per service."""
    body = config.split("\nservices:\n", 1)[1]
    body = re.split(r"\n(?=[a-z])", body, maxsplit=1)[0]  # up to the next top-level key
    names = re.findall(r"^  ([\w-]+):$", body, flags=re.M)
    parts = re.split(r"^  [\w-]+:$", body, flags=re.M)[1:]
    return dict(zip(names, parts, strict=True))


def test_models_and_migrations_agree():
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "portal.settings"}
    result = subprocess.run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
