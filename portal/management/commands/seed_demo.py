from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from accounts.demo import ACCOUNTS, DEMO_PASSWORD, EXPERTS
from review.demo import EXTRA_APPLICANTS
from security.demo import DEMO_TOTP_SECRET
from zones.demo import EXTRA as ZONE_APPLICANTS

# Each app seeds what it owns, in pipeline order. Every step is idempotent.
DEMO_STEPS = [
    "accounts.demo.seed_accounts",
    "security.demo.seed_second_factors",
    "applications.demo.seed_call",
    "applications.demo.seed_applications",
    "review.demo.seed_pipeline",
    "review.experts.demo.seed_expert_review",
    "zones.demo.seed_zones",
    "documents.demo.seed_documents",
    "documents.demo.seed_exports",
    "api.demo.seed_tokens",
    "audit.demo.seed_audit",
]


def demo_usernames() -> list[str]:
    """Every account the demo creates, in the order the table shows them."""
    applicants = [a[0] for a in ACCOUNTS if a[0].startswith("applicant")]
    others = [a[0] for a in ACCOUNTS if not a[0].startswith("applicant")]
    return (applicants + [a[0] for a in EXTRA_APPLICANTS] + [z[0] for z in ZONE_APPLICANTS] + others
            + [e[0] for e in EXPERTS])


class Command(BaseCommand):
    help = ("Create (or refresh) the demo call, organisations, applications, zones and one account per role, then "
            "print the demo accounts. Idempotent. With --accounts: only print the accounts.")

    def add_arguments(self, parser):
        parser.add_argument("--accounts", action="store_true", help="Only print the table of demo accounts.")
        parser.add_argument(
            "--i-know-this-is-not-production", action="store_true", dest="not_production",
            help="Seed even though DEBUG is off. The demo accounts have a published password and TOTP secret.")

    def handle(self, *args, accounts=False, **options):
        if not accounts:
            if not settings.DEBUG and not options["not_production"]:
                raise CommandError(
                    "seed_demo creates accounts with a published password and second-factor secret. DEBUG is off, "
                    "so this looks like production: refusing. Pass --i-know-this-is-not-production to seed anyway.")
            for step in DEMO_STEPS:
                import_string(step)()
            self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.accounts_table()

    def accounts_table(self):
        users = {u.username: u for u in get_user_model().objects.filter(username__in=demo_usernames())
                 .select_related("organisation")}
        self.stdout.write(f"Demo accounts (password for each: {DEMO_PASSWORD}):")
        for username in demo_usernames():
            user = users.get(username)
            if user is not None:
                organisation = user.organisation.name if user.organisation else ""
                self.stdout.write(f"  {username:<14} {user.get_role_display():<8} {organisation}")
        self.stdout.write(
            f"Second factor (every account but the applicants): TOTP secret {DEMO_TOTP_SECRET} — add it to any "
            f"authenticator app, or run: oathtool --totp -b {DEMO_TOTP_SECRET}")
