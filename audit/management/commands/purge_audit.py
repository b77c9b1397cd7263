import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.retention import PurgeRefused, earliest_allowed_cutoff, purge, retention_days


class Command(BaseCommand):
    help = ("Archive to a signed file, then delete, the audit records created before a date. Refuses any date "
            "less than the retention period (at least 180 days) ago. Run as the database owner.")

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="YYYY-MM-DD: purge records created before this day "
                                                            "(local time)")
        parser.add_argument("--archive-dir", default=None, help="where the signed archive is written "
                                                                "(default: settings.AUDIT_ARCHIVE_DIR)")

    def handle(self, *args, before, archive_dir=None, **options):
        try:
            day = datetime.date.fromisoformat(before)
        except ValueError:
            raise CommandError("--before takes a date as YYYY-MM-DD.")
        cutoff = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        directory = archive_dir or settings.AUDIT_ARCHIVE_DIR
        try:
            result = purge(cutoff, directory)
        except PurgeRefused as exc:
            limit = timezone.localtime(earliest_allowed_cutoff())
            raise CommandError(f"Refused: {exc} (retention {retention_days()} days; latest allowed --before: "
                               f"{limit:%Y-%m-%d})")
        if not result.count:
            self.stdout.write("No audit record is old enough to purge.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Purged {result.count} audit records (sequence {result.first_sequence}-{result.last_sequence}); "
            f"archive {result.archive} (sha256 {result.archive_sha256})."))
