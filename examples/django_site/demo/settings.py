"""Settings of the demo project: WhiteNoise for /static/, ``django.views.static.serve`` for /media/.

``DjangoFopMiddleware`` sits right below ``SecurityMiddleware`` and above WhiteNoise, so it
sees WhiteNoise's static files and every view's response (``fop_middleware.W001`` warns
otherwise).
"""

from __future__ import annotations

import os
import pathlib

BASE_DIR = pathlib.Path(__file__).resolve().parent.parent
MEDIA_DIR = BASE_DIR.parent / "media"

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "demo-only-not-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "fop_middleware.django",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "fop_middleware.django.middleware.DjangoFopMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

ROOT_URLCONF = "demo.urls"
WSGI_APPLICATION = "demo.wsgi.application"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True

# The demo media doubles as static files; WhiteNoise finds them without collectstatic.
STATIC_URL = "/static/"
STATICFILES_DIRS = [MEDIA_DIR]
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "/media/"
MEDIA_ROOT = MEDIA_DIR

FOP_BACKENDS = {"exif": ["libexif"]}
FOP_MAX_BODY_BYTES = 64 * 1024 * 1024
FOP_TIMEOUT = 20
