from django.contrib.auth import views as auth_views
from django.urls import path

from . import office, views

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("my/messages/", views.inbox, name="inbox"),
    path("office/accounts/", office.accounts, name="office-accounts"),
    path("office/accounts/new", office.account_new, name="office-account-new"),
    path("office/accounts/<int:user_id>/", office.account, name="office-account"),
    path("office/accounts/<int:user_id>/active", office.account_active, name="office-account-active"),
    path("office/accounts/<int:user_id>/password", office.account_password, name="office-account-password"),
    path("office/organisations/", office.organisations, name="office-organisations"),
    path("office/organisations/<int:org_id>/", office.organisation, name="office-organisation"),
]
