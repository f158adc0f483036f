"""Who a person is at the government identity service, and the staff an entity's legal representative authorised.

The binding of an account to an entity is accounts.EntityUser; these models say how it came about.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cleanrecord.lib import fieldcrypt
from cleanrecord.lib.identifiers import mask_id_number


class Identity(models.Model):
    """The stable link from a person at the identity service (issuer and `sub`) to their account here.

    Found by `sub`, never by e-mail or name: those change, and another person may come to have them.
    """

    issuer = models.CharField(_("认证服务"), max_length=300)
    subject = models.CharField(_("认证服务用户标识"), max_length=255)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="oidc_identity",
                                verbose_name=_("用户"))
    created_at = models.DateTimeField(_("首次登录时间"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("最近登录时间"), default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("统一身份认证账号")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="signin_identity_unique")]

    def __str__(self) -> str:
        return f"{self.user} ← {self.issuer}"


class StaffAuthorisationQuerySet(models.QuerySet):
    def active(self) -> "StaffAuthorisationQuerySet":
        return self.filter(withdrawn_at__isnull=True)


class StaffAuthorisation(models.Model):
    """The legal representative lets a person (named by ID number) act for the entity as its staff (经办人).

    A person whose identity service says "staff of this entity" is bound as an agent only while such an
    authorisation stands; withdrawing it removes the binding at once. The ID number is kept encrypted, with
    its masked form for display and an HMAC (blind index) to match the signing-in person's claim.
    """

    entity = models.ForeignKey("entities.Entity", models.CASCADE, related_name="staff_authorisations",
                               verbose_name=_("经营主体"))
    name = models.CharField(_("姓名"), max_length=50)
    id_number_encrypted = models.TextField(_("证件号码（加密）"))
    id_number_masked = models.CharField(_("证件号码"), max_length=40)
    id_number_index = models.CharField(_("证件号码索引"), max_length=32, db_index=True, editable=False)
    authorised_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                      verbose_name=_("授权人"))
    authorised_at = models.DateTimeField(_("授权时间"), default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("登录账号"), help_text=_("被授权人首次登录后绑定的账号"))
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("撤回人"))

    objects = StaffAuthorisationQuerySet.as_manager()

    class Meta:
        ordering = ["-authorised_at", "-id"]
        verbose_name = verbose_name_plural = _("经办人员授权")
        constraints = [models.UniqueConstraint(fields=["entity", "id_number_index"], condition=Q(withdrawn_at__isnull=True),
                                               name="signin_staff_one_active")]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_number_masked}）→ {self.entity_id}"

    def set_id_number(self, number: str) -> None:
        self.id_number_encrypted = fieldcrypt.encrypt(number)
        self.id_number_masked = mask_id_number(number)
        self.id_number_index = fieldcrypt.blind_index(number)
