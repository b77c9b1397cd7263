"""Issue 16, a quiet, truthful start: development mail in files with one line each, the URL and the
demo accounts last, every demo account in the README and the table, consistent demo data."""

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.utils.module_loading import import_string

from applications.demo import AREA_CODES
from applications.models import Application
from portal.management.commands.seed_demo import DEMO_STEPS, demo_usernames

ROOT = Path(__file__).resolve().parent.parent


def test_development_mail_goes_to_files_with_one_line_per_message(tmp_path, capsys):
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "portal.settings"}
    env.pop("EMAIL_BACKEND", None)
    backend = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
                               "print(settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH)"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert backend == ["portal.mail.DevelopmentEmailBackend", str(ROOT / "var" / "mail")]

    connection = mail.get_connection(backend[0], file_path=str(tmp_path))
    messages = [mail.EmailMessage(f"新的评审任务 {i}", "请在评审截止时间前完成建设方案评分。", to=[f"expert{i}@demo.invalid"])
                for i in range(3)]
    assert connection.send_messages(messages) == 3
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and all(line.startswith("mail → expert") for line in err)
    assert "Content-Transfer-Encoding" not in "\n".join(err)
    written = "".join(p.read_text() for p in tmp_path.iterdir())
    assert written.count("Subject:") == 3


def test_run_script_ends_with_the_accounts_and_the_url():
    script = (ROOT / "scripts" / "run.sh").read_text()
    lines = [line.strip() for line in script.splitlines() if line.strip() and not line.strip().startswith("#")]
    last_outputs = [line for line in lines if line.startswith(("echo", ".venv/bin/python manage.py seed_demo"))][-3:]
    assert "seed_demo --accounts" in last_outputs[0] and last_outputs[-1].startswith('echo "Portal: http://')
    # Seeding, the server and the worker do not write to the terminal.
    for command in ("manage.py seed_demo >", "runserver", "celery -A portal worker", "celery -A portal beat"):
        line = next(line for line in lines if command in line)
        assert "var/log/" in line, line
    # The server and the worker start before the table is printed, so nothing follows it.
    assert lines.index(next(line for line in lines if "runserver" in line)) < lines.index(last_outputs[0])


def test_every_demo_account_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    listed = set(re.findall(r"`([a-z_0-9]+)`", readme))
    missing = [name for name in demo_usernames() if name not in listed]
    assert not missing, f"README lacks {missing}"


@pytest.mark.django_db
def test_the_seeded_demo_is_consistent_and_every_account_is_in_the_table():
    for step in DEMO_STEPS:
        if not step.startswith("documents."):
            import_string(step)()
    demo_users = set(get_user_model().objects.filter(email__endswith="@demo.invalid").values_list("username",
                                                                                                  flat=True))
    assert demo_users == set(demo_usernames())
    out = StringIO()
    call_command("seed_demo", "--accounts", stdout=out)
    table = out.getvalue()
    assert all(re.search(rf"^  {name} ", table, re.M) for name in demo_users)

    filled = Application.objects.exclude(management_agency_name="").select_related("applicant")
    assert filled.count() >= 8
    for application in filled:
        industry = application.industry_name
        texts = [application.management_agency_name, application.plan_situation, application.plan_positioning,
                 *application.policies.values_list("title", flat=True)]
        for text in texts:
            assert industry in text or "专项资金" in text, (application.city, industry, text)
        if industry != "集成电路":
            assert not any("集成电路" in text for text in texts), (application.city, texts)
        code = AREA_CODES[application.city]
        assert application.contact_phone.startswith(f"{code}-"), (application.city, application.contact_phone)
