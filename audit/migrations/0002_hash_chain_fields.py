"""The hash chain's fields; records written before it are chained in the order they were written."""

import django.utils.timezone
from django.db import migrations, models

GENESIS = "0" * 64


def chain_existing_records(apps, schema_editor):
    from audit.chain import seal  # noqa: PLC0415 - the sealing function of the running code, for existing rows

    AuditRecord = apps.get_model("audit", "AuditRecord")
    previous = GENESIS
    for sequence, record in enumerate(AuditRecord.objects.order_by("created_at", "pk"), start=1):
        record.sequence = sequence
        record.previous_hash = previous
        record.record_hash = seal(record)
        AuditRecord.objects.filter(pk=record.pk).update(
            sequence=sequence, previous_hash=previous, record_hash=record.record_hash)
        previous = record.record_hash


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_audit_records"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditrecord",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="时间"),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="sequence",
            field=models.PositiveBigIntegerField(null=True, verbose_name="序号"),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="previous_hash",
            field=models.CharField(default="", max_length=64, verbose_name="前一记录摘要"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="record_hash",
            field=models.CharField(default="", max_length=64, verbose_name="记录摘要"),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing_records, migrations.RunPython.noop),
    ]
