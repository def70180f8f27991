from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "xiezuo.accounts"
    verbose_name = "用户与角色"
