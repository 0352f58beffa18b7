# ruff: noqa: RUF012 - a migration, in makemigrations' shape
"""Entries chained by HMAC under the audit key: the entries already recorded keep their plain
SHA-256 chain (scheme sha256); new ones are keyed."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="entry",
            name="scheme",
            field=models.CharField(default="sha256", max_length=16),
        ),
        migrations.AlterField(
            model_name="entry",
            name="scheme",
            field=models.CharField(default="hmac-sha256", max_length=16),
        ),
    ]
