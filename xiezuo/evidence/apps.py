from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "xiezuo.evidence"
    verbose_name = "佐证材料"
