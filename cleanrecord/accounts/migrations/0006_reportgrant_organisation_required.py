"""A grant names its organisation; the user it named before 0005 is gone (a migration of its own: on PostgreSQL
a table whose rows were just updated cannot be altered in the same transaction while constraints are deferred)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_organisations"),
    ]

    operations = [
        migrations.RemoveField(model_name="reportgrant", name="grantee"),
        migrations.AlterField(
            model_name="reportgrant",
            name="organisation",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="grants",
                                    to="accounts.organisation", verbose_name="被授权机构"),
        ),
    ]
