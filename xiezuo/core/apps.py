from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "xiezuo.core"
    verbose_name = "基础"

    def ready(self) -> None:
        from xiezuo.core.cache import create_cache_tables

        # The login counters' table (CACHES["limits"]) must exist wherever migrate has run.
        post_migrate.connect(create_cache_tables, sender=self, dispatch_uid="xiezuo.core.cache_tables")
