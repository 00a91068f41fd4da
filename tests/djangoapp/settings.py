"""Settings for the Django tests (``DJANGO_SETTINGS_MODULE=djangoapp.settings``, ``tests/`` on the path)."""

from __future__ import annotations

import pathlib

MEDIA_DIR = pathlib.Path(__file__).resolve().parent.parent.parent / "examples" / "media"

SECRET_KEY = "tests-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "fop_middleware.django",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "fop_middleware.django.middleware.DjangoFopMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "djangoapp.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
STATIC_URL = "/static/"
STATICFILES_DIRS = [MEDIA_DIR]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False
MEDIA_ROOT = MEDIA_DIR
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING_CONFIG = None
