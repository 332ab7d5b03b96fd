"""Settings for the test suite: production settings with a throwaway secret."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-not-for-production")

from config.settings import *  # noqa: F403

# The test client speaks plain HTTP.
SECURE_SSL_REDIRECT = False

# Hashing passwords at full strength only slows the suite down.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not SQLite's shared in-memory database: that one locks whole
    # tables and ignores the busy timeout, so concurrency tests would fail
    # where a real deployment waits its turn.
    DATABASES["default"]["TEST"] = {"NAME": BASE_DIR / "var" / "test.sqlite3"}  # noqa: F405

# A second alias on the same test database, for the read-replica tests;
# those turn routing on with DATABASE_REPLICAS = ["replica_1"].
DATABASES.setdefault(  # noqa: F405
    "replica_1",
    {**DATABASES["default"], "TEST": {"MIRROR": "default"}},  # noqa: F405
)
DATABASE_REPLICAS = []

# No collectstatic before the tests: WhiteNoise and {% static %} read the
# files where the apps keep them.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
