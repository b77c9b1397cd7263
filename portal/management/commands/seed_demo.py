from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from accounts.demo import ACCOUNTS, DEMO_PASSWORD, EXPERTS
from review.demo import EXTRA_APPLICANTS

# Each app seeds what it owns, in pipeline order. Every step is idempotent.
DEMO_STEPS = [
    "accounts.demo.seed_accounts",
    "applications.demo.seed_call",
    "applications.demo.seed_applications",
    "review.demo.seed_pipeline",
    "review.experts.demo.seed_expert_review",
    "documents.demo.seed_documents",
]


def demo_usernames() -> list[str]:
    """Every account the demo creates, in the order the table shows them."""
    applicants = [a[0] for a in ACCOUNTS if a[0].startswith("applicant")]
    others = [a[0] for a in ACCOUNTS if not a[0].startswith("applicant")]
    return applicants + [a[0] for a in EXTRA_APPLICANTS] + others + [e[0] for e in EXPERTS]


class Command(BaseCommand):
    help = ("Create (or refresh) the demo call, organisations, applications and one account per role, then print "
            "the demo accounts. Idempotent. With --accounts: only print the accounts.")

    def add_arguments(self, parser):
        parser.add_argument("--accounts", action="store_true", help="Only print the table of demo accounts.")

    def handle(self, *args, accounts=False, **options):
        if not accounts:
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
