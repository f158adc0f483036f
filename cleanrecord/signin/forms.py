from django.utils.translation import gettext_lazy as _

from cleanrecord.lib.forms import SiteForm, text_field


class StaffForm(SiteForm):
    """The legal representative names a person who may act for the entity after signing in as its staff."""

    name = text_field(_("姓名"), max_length=50, required_message=_("请填写姓名"))
    id_number = text_field(_("居民身份证号码"), max_length=18, required_message=_("请填写身份证号码"),
                           help_text=_("被授权人通过统一身份认证登录时，以此号码与授权核对；本平台加密保存。"))
