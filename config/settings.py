"""Django settings for trackoffers, read from the environment.

Every variable is documented in README.md with its default.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config import env

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env.get_bool("DEBUG", False)
SECRET_KEY = env.get_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = env.get_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else []
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rest_framework_json_api",
    "django_filters",
    "knox",
    "jsonapi",
    "accounts",
    "tracks",
    "offers",
    "trackoffers",
]

MIDDLEWARE = [
    "ops.requestlog.RequestLogMiddleware",
    "ops.health.HealthCheckMiddleware",
    "ops.replicas.ReplicaMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.AdminLoginThrottleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jsonapi.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database_from_env() -> dict:
    url = env.get_str("DATABASE_URL")
    if not url:
        (BASE_DIR / "var").mkdir(exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "var" / "db.sqlite3",
            # IMMEDIATE takes the write lock at BEGIN, and the timeout makes a
            # second writer wait for it instead of failing with "database is
            # locked".
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    return _database_from_url(url, "DATABASE_URL")


def _database_from_url(url: str, variable: str) -> dict:
    try:
        config = dj_database_url.parse(
            url, conn_max_age=env.get_int("CONN_MAX_AGE", 600)
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"{variable} is not a usable URL: {exc}") from exc
    config["CONN_HEALTH_CHECKS"] = True
    if config["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend with a health check that needs no round trip
        # and compiled timestamp loading (ops/postgresql).
        config["ENGINE"] = "ops.postgresql"
        # Asking for UTC up front saves a set_config('TimeZone') round trip
        # on every new connection when the server's own zone is spelled
        # differently (Etc/UTC).
        config.setdefault("OPTIONS", {})["options"] = "-c timezone=UTC"
    return config


def _replicas_from_env() -> dict[str, dict]:
    """Return ``replica_1``, ``replica_2``... from DATABASE_REPLICA_URLS."""
    urls = env.get_list("DATABASE_REPLICA_URLS", [])
    replicas = {}
    for number, url in enumerate(urls, start=1):
        replica = _database_from_url(url, "DATABASE_REPLICA_URLS")
        # Tests run against the primary's test database through this alias.
        replica["TEST"] = {"MIRROR": "default"}
        replicas[f"replica_{number}"] = replica
    return replicas


DATABASES = {"default": _database_from_env(), **_replicas_from_env()}
# The aliases that ops.replicas.ReplicaRouter sends read-only requests to.
DATABASE_REPLICAS = [alias for alias in DATABASES if alias != "default"]
DATABASE_ROUTERS = ["ops.replicas.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = ["accounts.backends.ModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise serves the files `collectstatic` gathered, compressed and with
# hashed names that browsers may cache forever.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# The largest request body accepted, in bytes; larger bodies get a 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.get_int(
    "MAX_REQUEST_BODY_BYTES", 1024 * 1024, minimum=1024
)

# Login attempts (POST /oauth/token and the admin's login form) allowed per
# minute, per account and per client address; more get a 429.
LOGIN_ATTEMPTS_PER_MINUTE_PER_ACCOUNT = env.get_int(
    "LOGIN_ATTEMPTS_PER_MINUTE_PER_ACCOUNT", 5, minimum=1
)
LOGIN_ATTEMPTS_PER_MINUTE_PER_ADDRESS = env.get_int(
    "LOGIN_ATTEMPTS_PER_MINUTE_PER_ADDRESS", 20, minimum=1
)
# How many reverse proxies in front of the app append to X-Forwarded-For.
TRUSTED_PROXY_COUNT = env.get_int("TRUSTED_PROXY_COUNT", 0)

_redis_url = env.get_str("REDIS_URL")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
        }
        if _redis_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# HTTPS. In production the app runs behind a proxy that terminates TLS and
# says so in X-Forwarded-Proto (so links say https and the redirect below
# does not loop); these defaults are what `manage.py check --deploy` asks
# for, and DEBUG turns them off for local work.
if env.get_bool("TRUST_X_FORWARDED_PROTO", not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env.get_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.get_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env.get_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"

# Above this many rows (by PostgreSQL's statistics), an unfiltered list
# reports an estimated total instead of counting every row.
EXACT_COUNT_LIMIT = env.get_int("EXACT_COUNT_LIMIT", 100_000)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.BearerAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["jsonapi.permissions.ModelPermissions"],
    "DEFAULT_PARSER_CLASSES": ["jsonapi.parsers.JSONAPIParser"],
    "DEFAULT_RENDERER_CLASSES": ["jsonapi.renderers.JSONAPIRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "jsonapi.negotiation.StrictNegotiation",
    "DEFAULT_PAGINATION_CLASS": "jsonapi.pagination.PagePagination",
    "DEFAULT_FILTER_BACKENDS": [
        "jsonapi.filters.FilterBackend",
        "jsonapi.filters.SortBackend",
    ],
    "DEFAULT_METADATA_CLASS": None,
    "EXCEPTION_HANDLER": "jsonapi.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "jsonapi.openapi.AutoSchema",
    "ORDERING_PARAM": "sort",
    "PAGE_SIZE": 20,
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%S.%fZ",
    "DATE_FORMAT": "%Y-%m-%d",
    "TEST_REQUEST_DEFAULT_FORMAT": "vnd.api+json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

JSON_API_FORMAT_FIELD_NAMES = "dasherize"
JSON_API_FORMAT_TYPES = "dasherize"
JSON_API_PLURALIZE_TYPES = True
JSON_API_FORMAT_RELATED_LINKS = "dasherize"

SPECTACULAR_SETTINGS = {
    "TITLE": "trackoffers",
    "DESCRIPTION": (
        "Per-track distribution overrides (copy scan opt-outs) behind a strict "
        "JSON:API 1.0 API. Get a token with POST /oauth/token, then send "
        "`Authorization: Bearer <token>`."
    ),
    "VERSION": "1",
    "DEFAULT_GENERATOR_CLASS": "jsonapi.openapi.SchemaGenerator",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Requests and responses differ (read-only members, ids), so each gets
    # its own component.
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "jsonapi.openapi_hooks.string_ids",
        "jsonapi.openapi_hooks.sparse_fieldsets",
        "jsonapi.openapi_hooks.request_bodies",
        "jsonapi.openapi_hooks.document_members",
        "jsonapi.openapi_hooks.filter_names",
        "jsonapi.openapi_hooks.error_responses",
        "jsonapi.openapi_hooks.create_links",
        "accounts.openapi.token_endpoint",
    ],
    # The schema and the docs are public: they describe the contract, which
    # the README publishes anyway, and clients need them before they hold a
    # token. No authentication runs, so a stale token cannot lock them out.
    "SERVE_PUBLIC": True,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from the installed sidecar package: the docs need no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
}

REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Bearer",
    "TOKEN_TTL": timedelta(seconds=env.get_int("TOKEN_TTL_SECONDS", 86400, minimum=60)),
    "AUTO_REFRESH": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ops.requestlog.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
        },
        "json": {"()": "ops.requestlog.JSONFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.get_choice("LOG_FORMAT", "plain", ("plain", "json")),
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": env.get_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Requests that end in 4xx are answered with a JSON:API error; they
        # are the client's business, not the operator's.
        "django.request": {"level": "ERROR"},
    },
}
