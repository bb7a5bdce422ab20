"""Django settings for the ADL LRS as a test LRS (copied next to its `manage.py` by stack.py).

Upstream's settings (adl_lrs/settings.py, which reads adl_lrs/settings.ini) with what a test LRS on
127.0.0.1 does not need taken out: no RabbitMQ (celery runs tasks in the request), no Redis
(django-defender's middleware is dropped), logs and uploads in the session's data folder, and the
database named by the environment (each test session has its own on the throwaway cluster).
"""
import os

from adl_lrs.settings import *  # noqa: F401,F403  (upstream's settings, then the changes below)
from adl_lrs import settings as _upstream

DATA = os.environ.get("SB_LRS_DATA", "/tmp")

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("SB_LRS_DB_NAME", "postgres"),
        "USER": os.environ.get("SB_LRS_DB_USER", "postgres"),
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": int(os.environ.get("SB_LRS_DB_PORT", "5432")),
    }
}
DEBUG = False
CELERY_ALWAYS_EAGER = True
CELERY_TASK_ALWAYS_EAGER = True
USE_HOOKS = False
MIDDLEWARE = tuple(m for m in _upstream.MIDDLEWARE if not m.startswith("defender."))
INSTALLED_APPS = [app for app in _upstream.INSTALLED_APPS if app != "defender"]
MEDIA_ROOT = os.path.join(DATA, "media")
LOGGING = {"version": 1, "disable_existing_loggers": False, "handlers": {}, "loggers": {}}
