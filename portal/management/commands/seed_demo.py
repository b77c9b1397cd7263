from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from accounts.demo import ACCOUNTS, DEMO_PASSWORD, EXPERTS
from security.demo import DEMO_TOTP_SECRET

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
    "audit.demo.seed_audit",
    "documents.demo.seed_exports",
    "api.demo.seed_tokens",
]


class Command(BaseCommand):
    help = "Create (or refresh) the demo call, organisations, applications and one account per role. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--i-know-this-is-not-production", action="store_true", dest="not_production",
            help="Seed even though DEBUG is off. The demo accounts have a published password and TOTP secret.")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["not_production"]:
            raise CommandError(
                "seed_demo creates accounts with a published password and second-factor secret. DEBUG is off, so "
                "this looks like production: refusing. Pass --i-know-this-is-not-production to seed anyway.")
        for step in DEMO_STEPS:
            import_string(step)()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Accounts (password: {DEMO_PASSWORD}):"))
        for username, _display, role, (_kind, org) in ACCOUNTS:
            self.stdout.write(f"  {username:<14} {role.label:<10} {org}")
        self.stdout.write(f"  {EXPERTS[0][0]:<14} 评审专家    (expert2 … expert{len(EXPERTS)} too)")
        self.stdout.write(
            f"Second factor (all but the applicants): TOTP secret {DEMO_TOTP_SECRET} — add it to any authenticator "
            f"app, or run: oathtool --totp -b {DEMO_TOTP_SECRET}")
