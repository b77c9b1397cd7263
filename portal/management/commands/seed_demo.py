from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from accounts.demo import ACCOUNTS, DEMO_PASSWORD, EXPERTS

# Each app seeds what it owns, in pipeline order. Every step is idempotent.
DEMO_STEPS = [
    "accounts.demo.seed_accounts",
    "applications.demo.seed_call",
    "applications.demo.seed_applications",
    "review.demo.seed_pipeline",
    "review.experts.demo.seed_expert_review",
    "documents.demo.seed_documents",
    "documents.demo.seed_exports",
    "api.demo.seed_tokens",
]


class Command(BaseCommand):
    help = "Create (or refresh) the demo call, organisations, applications and one account per role. Idempotent."

    def handle(self, *args, **options):
        for step in DEMO_STEPS:
            import_string(step)()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Accounts (password: {DEMO_PASSWORD}):"))
        for username, _display, role, (_kind, org) in ACCOUNTS:
            self.stdout.write(f"  {username:<14} {role.label:<10} {org}")
        self.stdout.write(f"  {EXPERTS[0][0]:<14} 评审专家    (expert2 … expert{len(EXPERTS)} too)")
