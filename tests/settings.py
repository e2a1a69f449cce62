"""Settings for the test suite: the product's settings (retrofit/settings.py) with what only tests need.

pyproject.toml points pytest's DJANGO_SETTINGS_MODULE here; manage.py, wsgi and the benchmarks keep
retrofit.settings.
"""

from retrofit.settings import *  # noqa: F403

# Django's test client sends Host: testserver.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405

# PBKDF2 costs ~0.3 s a user; the tests create many.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# On SQLite the test databases start as a copy of one migrated database (tests/sqlite_schema/base.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["ENGINE"] = "tests.sqlite_schema"  # noqa: F405
    # In memory, as Django's SQLite backend makes it by default (said here: pytest-django recognises that
    # default by the engine's name only, and would give each test process a file instead).
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}  # noqa: F405

# A second alias on the test database, standing for a read replica: tests/test_replica_router.py installs
# the router that uses it; without the router no query goes there.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
