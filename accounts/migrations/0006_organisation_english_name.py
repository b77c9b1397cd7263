"""Organisations get an English name shown on English pages; the bureaus and the national office,
created by 0002, get theirs from the provinces' official English names."""

from django.db import migrations, models

from accounts.provinces import NATIONAL_OFFICE_NAME_EN, bureau_name_en


def name_reference_organisations(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    Organisation.objects.filter(kind="national", name_en="").update(name_en=NATIONAL_OFFICE_NAME_EN)
    for bureau in Organisation.objects.filter(kind="provincial", name_en="").select_related("province"):
        bureau.name_en = bureau_name_en(bureau.province.name_en)
        bureau.save(update_fields=["name_en"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_organisation_letterhead_and_document_code'),
    ]

    operations = [
        migrations.AddField(
            model_name='organisation',
            name='name_en',
            field=models.CharField(blank=True, help_text='英文页面显示;留空则显示中文名称。', max_length=200, verbose_name='英文名称'),
        ),
        migrations.RunPython(name_reference_organisations, migrations.RunPython.noop),
    ]
