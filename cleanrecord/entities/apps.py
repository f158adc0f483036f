from django.apps import AppConfig


class EntitiesConfig(AppConfig):
    name = "cleanrecord.entities"
    verbose_name = "经营主体"
