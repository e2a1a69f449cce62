# Each contract's stored scan becomes version 1 of its scans; the file stays where it is.

from django.db import migrations

from retrofit.documents import existing_file_facts


def forwards(apps, schema_editor):
    Contract = apps.get_model("units", "Contract")
    ContractChange = apps.get_model("units", "ContractChange")
    ContractScanVersion = apps.get_model("units", "ContractScanVersion")
    for contract in Contract.objects.exclude(scan="").exclude(scan__isnull=True).iterator():
        upload = ContractChange.objects.filter(contract=contract, field="scan").order_by("-changed_at", "-id").first()
        version = ContractScanVersion.objects.create(
            contract=contract,
            number=1,
            file=contract.scan.name,
            original_name=contract.scan_name,
            uploaded_by_id=upload.changed_by_id if upload else contract.created_by_id,
            uploaded_at=upload.changed_at if upload else contract.created_at,
            **existing_file_facts(contract.scan.storage, contract.scan.name),
        )
        Contract.objects.filter(pk=contract.pk).update(scan_version=version)


class Migration(migrations.Migration):

    dependencies = [
        ('units', '0006_contract_scan_versions'),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
