from django.core.management.base import BaseCommand

from accounts.demo import ACCOUNTS, DEMO_PASSWORD, EXPERTS, seed_accounts
from applications.demo import seed_call


class Command(BaseCommand):
    help = "Create (or refresh) the demo call, organisations and one account per role. Idempotent."

    def handle(self, *args, **options):
        seed_accounts()
        seed_call()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Accounts (password: {DEMO_PASSWORD}):"))
        for username, _display, role, (_kind, org) in ACCOUNTS:
            self.stdout.write(f"  {username:<14} {role.label:<10} {org}")
        for username, _display, *_ in EXPERTS[:1]:
            self.stdout.write(f"  {username:<14} 评审专家    (expert2 … expert{len(EXPERTS)} too)")
