from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "xiezuo.audit"
    verbose_name = "自评报告核查"
    default_auto_field = "django.db.models.BigAutoField"
