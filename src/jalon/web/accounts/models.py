"""Accounts use django.contrib.auth's User; PMO admins are users with ``is_staff``."""
