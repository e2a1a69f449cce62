"""Settings for retrofit.

One module, driven by the environment (django-environ). ``RETROFIT_ENV=production`` turns on the
hardened settings and refuses to start without a secret key; anything else is a developer machine.
"""

import hashlib
import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

ENVIRONMENT = env("RETROFIT_ENV", default="development")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when RETROFIT_ENV=production")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

# The key of the certificate numbers' hashes (retrofit/owner_ids.py). Set OWNER_ID_KEY in production: the
# fallback is derived from SECRET_KEY, so rotating SECRET_KEY would silently change every stored hash
# (and two imports before and after would no longer recognise the same owner). Derived, not SECRET_KEY
# itself, so the hashes never expose the key that signs sessions.
OWNER_ID_KEY = env("OWNER_ID_KEY", default="") or hashlib.sha256(b"retrofit.owner_ids:" + SECRET_KEY.encode()).hexdigest()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "retrofit",
    "units",
    "consultations",
    "works",
    "residents",
    "payments",
    "reminders",
    "reports",
    "axes",
    "demo",  # last: the demo seeds every app, so it may import every app
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above everything that writes a page, so that it compresses the finished page (retrofit/compression.py).
    "retrofit.compression.TextGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "retrofit.locale.ChosenLanguageMiddleware",  # Chinese unless chosen otherwise in the menu
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so that it sees the login view's answer: a locked-out login is answered 429 (see AXES_*).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "retrofit.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

WSGI_APPLICATION = "retrofit.wsgi.application"

# SQLite is the zero-setup default; DATABASE_URL=postgres://... is production.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if PRODUCTION:
    # Each gunicorn worker keeps its connection instead of opening one per request: vote recording under
    # 20 clients went from 48 to 76 requests/s on PostgreSQL (docs/benchmarks.md). Checked before reuse.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=600))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Several gunicorn workers write at once (bench/load.py): a transaction takes the write lock when it
    # begins, so it waits its turn instead of failing when it upgrades a read lock held since its first
    # SELECT; in WAL mode readers never wait for a writer.
    DATABASES["default"]["OPTIONS"].update(
        transaction_mode="IMMEDIATE", init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"
    )

# A PostgreSQL read replica (streaming replication of the primary) for the dashboards and reports:
# DATABASE_REPLICA_URL adds the `replica` database and the router that sends those pages' reads to it
# (retrofit/routers.py). Every write, and everything else, stays on the primary. Unset: one database.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    for _key in ("ATOMIC_REQUESTS", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS"):
        if _key in DATABASES["default"]:
            DATABASES["replica"][_key] = DATABASES["default"][_key]
    DATABASE_ROUTERS = ["retrofit.routers.ReplicaRouter"]
    MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1, "retrofit.routers.ReplicaReadsMiddleware")
# The apps whose read-only pages (GET and HEAD) read from the replica when there is one.
REPLICA_READ_APPS = ["reports"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "retrofit.User"
LOGIN_URL = "login"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Production: collectstatic writes every file also under a name with a hash of its content
# (app.3f2a9c1b7d4e.css) with brotli and gzip copies, templates' {% static %} gives the hashed name, and
# whitenoise serves hashed names with `Cache-Control: max-age=315360000, public, immutable`: a page
# seen once loads its styles and scripts from the phone's cache without asking (docs/benchmarks.md,
# page weight). A file asked for by its plain name (a script a service worker lists, say) is served
# too, cached for WHITENOISE_MAX_AGE only. Development serves the plain names, never cached.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploaded and generated files (opinion forms, contract scans, site photos, ledgers waiting for their
# preview, exports) go through Django's storage API only. Local files under MEDIA_ROOT by default; with
# RETROFIT_S3_BUCKET set, an S3-compatible object store (django-storages) that every app server shares
# (docs/scaling.md). Keys come from boto3's usual sources (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in
# the environment, or the machine's role), never from this file. Private: objects carry the private ACL
# and no URL of the store is ever handed out; each file is read and sent by the app's scope-checked views.
S3_BUCKET = env("RETROFIT_S3_BUCKET", default="")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("RETROFIT_S3_ENDPOINT_URL", default=None),  # MinIO, Ceph, a cloud's S3 endpoint
            "region_name": env("RETROFIT_S3_REGION", default=None),
            "addressing_style": env("RETROFIT_S3_ADDRESSING_STYLE", default=None),  # "path" for most on-site stores
            "location": env("RETROFIT_S3_PREFIX", default=""),  # a folder of the bucket, if it is shared
            # Each object private; empty for a bucket with ACLs switched off (kept private by its policy).
            "default_acl": env("RETROFIT_S3_ACL", default="private") or None,
            "file_overwrite": False,  # like the local folder: a name already taken gets a new one
            # A file read back (to send it, or to put a photo in a PDF) spills to a temporary file past 2 MB.
            "max_memory_size": 2 * 1024 * 1024,
        },
    }

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Ledgers are small; anything bigger than this is not a roster.
ROSTER_MAX_BYTES = env.int("ROSTER_MAX_BYTES", default=10 * 1024 * 1024)
# What one ledger may hold, checked before any cell is read (consultations/roster_import/workbook_guard.py):
# rows and columns of each sheet the import reads, and the bytes of an .xlsx once unpacked.
ROSTER_MAX_ROWS = env.int("ROSTER_MAX_ROWS", default=50_000)
ROSTER_MAX_COLUMNS = env.int("ROSTER_MAX_COLUMNS", default=60)
ROSTER_MAX_UNCOMPRESSED = env.int("ROSTER_MAX_UNCOMPRESSED", default=100 * 1024 * 1024)
# An uploaded ledger waits this long for its preview to be confirmed; older ones are removed.
ROSTER_PENDING_MAX_AGE = env.int("ROSTER_PENDING_MAX_AGE", default=3600)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# The dashboard's table of units shows this many a page (a street has hundreds; a phone reads a page).
DASHBOARD_UNITS_PER_PAGE = env.int("DASHBOARD_UNITS_PER_PAGE", default=50)
# The visit list on screen shows this many owners a page, best visit first (its printout shows them all).
VISITS_PER_PAGE = env.int("VISITS_PER_PAGE", default=30)
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# Long exports (reports/jobs.py) run in a worker, not in the request: django-tasks with its database
# backend, so the queue is a table of the same database (SQLite for `make run`, PostgreSQL with workers
# on several machines). `manage.py db_worker` runs one worker (README, Production).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A finished export is kept this many days under 我的导出, then its file is removed.
EXPORT_JOBS_KEEP_DAYS = env.int("EXPORT_JOBS_KEEP_DAYS", default=7)
# A running job that has not moved for this long lost its worker (killed, restarted): shown as failed.
EXPORT_JOB_STALE_SECONDS = env.int("EXPORT_JOB_STALE_SECONDS", default=300)

# Forwarded client addresses (X-Forwarded-For, X-Real-IP) are believed only from these peers: IPs or
# CIDR networks, comma-separated; none by default (gunicorn reached directly). See retrofit/clientip.py.
TRUSTED_PROXIES = [item.strip() for item in env.list("TRUSTED_PROXIES", default=[]) if item.strip()]
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or CIDR network") from _error

# Login throttling (django-axes): five wrong passwords lock one account from one address for 15
# minutes; the same account from another address is not affected. retrofit/forms.py adds the cap of
# 20 failures per address over all accounts, and shows the lock on the login page.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "retrofit.clientip.client_ip"
AXES_LOCKOUT_CALLABLE = "retrofit.forms.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # successful logins are not kept (the table would grow without end)
AXES_VERBOSE = False

# No inline script anywhere: every script is a file under static/. Inline styles stay allowed
# (Bootstrap and ECharts set them), they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
