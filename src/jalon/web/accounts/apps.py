from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jalon.web.accounts"
    label = "accounts"
    verbose_name = "Accounts"
