from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction

from audit.database_roles import grant_serving_role


class Command(BaseCommand):
    help = ("Grant the serving database role (the one web processes and workers connect as) what it needs: "
            "read/write on the portal's tables, but only SELECT and INSERT on the audit trail and the workflow "
            "logs. Run as the owner after every migrate.")

    def add_arguments(self, parser):
        parser.add_argument("role", help="name of the serving role, e.g. portal_app")

    def handle(self, *args, role, **options):
        try:
            with transaction.atomic():
                statements = grant_serving_role(role)
        except (RuntimeError, DatabaseError) as exc:
            raise CommandError(str(exc).strip())
        for statement in statements:
            self.stdout.write(statement)
        self.stdout.write(self.style.SUCCESS(f"{role}: serving privileges granted."))
