"""The 32 provincial bureaus and the national office, with their official names and regions."""

from django.db import migrations

from accounts.provinces import NATIONAL_OFFICE_NAME, PROVINCES, bureau_name


def create(apps, schema_editor):
    Province = apps.get_model("accounts", "Province")
    Organisation = apps.get_model("accounts", "Organisation")
    national, _ = Organisation.objects.get_or_create(kind="national", name=NATIONAL_OFFICE_NAME)
    for code, name, name_en, region in PROVINCES:
        province, _ = Province.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "region": region}
        )
        Organisation.objects.get_or_create(
            kind="provincial", province=province, defaults={"name": bureau_name(name), "parent": national}
        )


def remove(apps, schema_editor):
    apps.get_model("accounts", "Organisation").objects.filter(kind__in=["provincial", "national"]).delete()
    apps.get_model("accounts", "Province").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
