"""Settings of the bare Django server: vejud's database settings, Django's defaults otherwise."""

from __future__ import annotations

import os

import dj_database_url

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "bench.bare",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
if os.environ.get("VEJUD_BENCH_QUERY_COUNT") == "1":
    MIDDLEWARE.insert(0, "vejud.core.querycount.QueryCountMiddleware")  # the same header
ROOT_URLCONF = "bench.bare.urls"
WSGI_APPLICATION = "bench.bare.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [
                (
                    "django.template.loaders.locmem.Loader",
                    {"ping.html": "<!doctype html><title>ping</title><p>{{ name }}</p>\n"},
                )
            ]
        },
    }
]

# As vejud.settings has them for PostgreSQL: persistent connections with health checks.
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "60"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "bare.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    # Only to check the passwords vejud's test settings hash (the smoke test); never used to hash.
    "django.contrib.auth.hashers.MD5PasswordHasher",
]
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_SAVE_EVERY_REQUEST = False
LOGIN_URL = "/login/"
TIME_ZONE = "Europe/Copenhagen"
USE_TZ = True
USE_I18N = False
