from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "xiezuo.documents"
    verbose_name = "自评报告与公文"
