from django.apps import AppConfig


class LedgersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "xiezuo.ledgers"
    verbose_name = "台账"
