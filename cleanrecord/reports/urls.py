from django.urls import path

from . import group_views, portal, views

urlpatterns = [
    path("entities/<str:code>/report/", views.new_report, name="report-new"),
    # reports/<code>/ and reports/<code>/pdf are routed in verification/urls.py, behind the guessing budget.
    path("trust/root.pem", views.root_certificate, name="trust-root"),
    path("my/", portal.portal, name="portal"),
    path("my/entities/<str:code>/grants", portal.grant, name="grant"),
    path("my/entities/<str:code>/grants/<int:grant_id>/revoke", portal.revoke_grant, name="grant-revoke"),
    path("my/entities/<str:code>/group/", group_views.new_group_batch, name="group-new"),
    path("my/group-batches/<str:token>/", group_views.group_batch, name="group-batch"),
    path("my/group-batches/<str:token>/zip", group_views.group_batch_zip, name="group-batch-zip"),
]
