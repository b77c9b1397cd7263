from django.core.management.base import BaseCommand, CommandError

from audit import chain
from audit.models import AuditRecord
from audit.retention import ArchiveInvalid, verify_archive


class Command(BaseCommand):
    help = ("Walk the audit trail's hash chain and name the first record that was altered, inserted or removed. "
            "Exit status 1 when the chain is broken. --expect SEQUENCE:HASH (a head printed by an earlier run) "
            "also detects records removed from the end; --archive FILE checks a purge archive instead.")

    def add_arguments(self, parser):
        parser.add_argument("--expect", metavar="SEQUENCE:HASH",
                            help="a head printed by an earlier run: that record must still be in the chain")
        parser.add_argument("--archive", metavar="FILE", help="verify this purge archive instead of the database")

    def handle(self, *args, expect=None, archive=None, **options):
        if archive:
            try:
                report = verify_archive(archive)
            except (ArchiveInvalid, OSError) as exc:
                raise CommandError(f"Audit archive {archive} is NOT valid: {exc}")
            self.stdout.write(self.style.SUCCESS(
                f"Audit archive valid: {report.count} records, sequence {report.first_sequence}-"
                f"{report.last_sequence}, signature and chain intact."))
            return
        report = chain.verify()
        if not report.intact:
            raise CommandError(f"Audit chain BROKEN after {report.checked} intact records: {report.broken.message}")
        if expect:
            self._check_expected_head(expect, report)
        if report.checked == 0:
            self.stdout.write(self.style.SUCCESS("Audit chain empty."))
            return
        self.stdout.write(self.style.SUCCESS(
            f"Audit chain intact: {report.checked} records, sequence {report.first_sequence}-{report.head_sequence}."))
        self.stdout.write(f"Head: {report.head_sequence}:{report.head_hash}")

    def _check_expected_head(self, expect, report):
        sequence, _sep, digest = expect.partition(":")
        if not sequence.isdigit() or len(digest) != 64:
            raise CommandError("--expect takes SEQUENCE:HASH as printed on the 'Head:' line of an earlier run.")
        kept = AuditRecord.objects.filter(sequence=int(sequence)).values_list("record_hash", flat=True).first()
        if kept is None and report.first_sequence is not None and int(sequence) < report.first_sequence:
            return  # purged since (the purge is in the chain)
        if kept != digest:
            raise CommandError(f"Audit chain BROKEN: record with sequence {sequence} "
                               f"{'was removed from the end of the chain' if kept is None else 'differs'}.")
