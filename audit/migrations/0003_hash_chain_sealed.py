"""Every record has its place in the chain; PostgreSQL refuses UPDATE and DELETE (audit.db)."""

from django.db import migrations, models

from audit.db import append_only_trigger


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_hash_chain_fields"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditrecord",
            name="sequence",
            field=models.PositiveBigIntegerField(unique=True, verbose_name="序号"),
        ),
        migrations.AlterModelOptions(
            name="auditrecord",
            options={"ordering": ["sequence"], "verbose_name": "审计记录", "verbose_name_plural": "审计记录"},
        ),
        migrations.AddIndex(
            model_name="auditrecord",
            index=models.Index(fields=["object_type", "object_id"], name="audit_audit_object__15cb14_idx"),
        ),
        migrations.AddIndex(
            model_name="auditrecord",
            index=models.Index(fields=["actor", "created_at"], name="audit_audit_actor_i_5e0549_idx"),
        ),
        append_only_trigger(),
    ]
