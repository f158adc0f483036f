from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cleanrecord.accounts import tokens
from cleanrecord.lib.refusals import Refused


class Command(BaseCommand):
    help = "Make an API token that acts for USERNAME within the given scopes. The token is printed once, never again."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="what the token is for, e.g. the calling system")
        parser.add_argument("--scopes", required=True, help=f"separated by commas, among: {', '.join(tokens.SCOPES)}")
        parser.add_argument("--days", type=int, help=f"lifetime in days (default and most: {tokens.max_days()})")

    def handle(self, *args, username, name, scopes, days, **options):
        owner = get_user_model().objects.filter(username=username).first()
        if owner is None:
            raise CommandError(_("用户不存在：%(username)s") % {"username": username})
        try:
            token, text = tokens.create_token(owner=owner, name=name, scopes=scopes, days=days)
        except Refused as e:
            raise CommandError(str(e)) from e
        self.stderr.write(_("令牌“%(name)s”已创建，代表用户 %(username)s，权限范围 %(scopes)s，有效至 %(expires)s。"
                            "请立即复制保存，它只显示这一次：")
                          % {"name": token.name, "username": username, "scopes": "、".join(token.scopes),
                             "expires": f"{token.expires_at:%Y-%m-%d %H:%M}"})
        self.stdout.write(text)
