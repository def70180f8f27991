from django.apps import AppConfig


class ProgressConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "xiezuo.progress"
    verbose_name = "年度进度"
