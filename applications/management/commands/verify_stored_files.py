from django.core.management.base import BaseCommand, CommandError

from applications.stored_files import verify_all


class Command(BaseCommand):
    help = ("Check every stored upload against the SHA-256 recorded at upload (what the daily task does); each "
            "mismatch or missing file is recorded in the audit trail. Exit status 1 when any fails.")

    def handle(self, *args, **options):
        result = verify_all()
        for failure in result["failed"]:
            self.stderr.write(f"{failure['reason']}: {failure['stored_name']} ({failure['what']})")
        if result["failed"]:
            raise CommandError(f"{len(result['failed'])} of {result['checked']} stored files failed their check.")
        self.stdout.write(self.style.SUCCESS(f"All {result['checked']} stored files match their SHA-256."))
