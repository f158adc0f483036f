"""The database column of a model's field, for the statements written once by hand (verification's lookup and log)."""

from django.db import models


def column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column  # a concrete field, with its column
    return field.column
