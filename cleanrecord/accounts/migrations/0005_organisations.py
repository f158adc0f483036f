"""Organisations (banks, agencies) with member accounts; report grants go to an organisation, no longer to a user.

An existing grant to a user becomes a grant to an organisation made for that user (named after the user's full
name, else the username; kind "other"), of which the user is made the member. The office renames or merges them
on /office/organisations/ afterwards.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def grants_to_organisations(apps, schema_editor):
    ReportGrant = apps.get_model("accounts", "ReportGrant")
    Organisation = apps.get_model("accounts", "Organisation")
    OrganisationMember = apps.get_model("accounts", "OrganisationMember")
    for grant in ReportGrant.objects.select_related("grantee").order_by("pk"):
        user = grant.grantee
        member = OrganisationMember.objects.filter(user=user).select_related("organisation").first()
        if member is None:
            base = (f"{user.last_name}{user.first_name}".strip() or user.username)[:180]
            name, n = base, 1
            while Organisation.objects.filter(name=name).exists():
                n += 1
                name = f"{base}（{n}）"
            member = OrganisationMember.objects.create(
                user=user, organisation=Organisation.objects.create(name=name, kind="other"))
        grant.organisation = member.organisation
        grant.save(update_fields=["organisation"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0004_notification"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Organisation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, unique=True, verbose_name="机构名称")),
                ("kind", models.CharField(choices=[("bank", "银行等金融机构"), ("agency", "行政机关（审批部门）"),
                                                   ("tender", "招标采购单位"), ("other", "其他单位")],
                                          default="bank", max_length=10, verbose_name="机构类型")),
                ("credit_code", models.CharField(blank=True, max_length=18, verbose_name="统一社会信用代码")),
                ("active", models.BooleanField(default=True, help_text="停用后，其成员不能再查阅任何经营主体授权的报告，经营主体也不能再向其授权",
                                               verbose_name="启用")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
            ],
            options={"verbose_name": "查阅机构", "verbose_name_plural": "查阅机构", "ordering": ["kind", "name"]},
        ),
        migrations.CreateModel(
            name="OrganisationMember",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("added_at", models.DateTimeField(auto_now_add=True, verbose_name="加入时间")),
                ("organisation", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="members",
                                                   to="accounts.organisation", verbose_name="机构")),
                ("user", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="membership",
                                              to=settings.AUTH_USER_MODEL, verbose_name="用户")),
            ],
            options={"verbose_name": "机构成员", "verbose_name_plural": "机构成员"},
        ),
        migrations.AddField(
            model_name="reportgrant",
            name="organisation",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="grants",
                                    to="accounts.organisation", verbose_name="被授权机构"),
        ),
        migrations.RunPython(grants_to_organisations, migrations.RunPython.noop),
    ]
