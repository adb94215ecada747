"""Django settings for vejud: one module, configured from the environment.

Safe defaults make the local demo work with no configuration at all. With
``DEBUG`` off the process refuses to start while any demo key is in use.
"""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

from vejud.core.env import env_bool, env_int, env_list, env_oidc_providers, env_str
from vejud.core.limits import MAX_BODY_BYTES, MAX_FIELDS

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VEJUD_VAR_DIR", str(BASE_DIR / "var")))

# Demo keys: public, committed, and refused in production (see check below).
DEMO_SECRET_KEY = "demo-insecure-secret-key-vejud-do-not-use-in-production-000000000000"  # noqa: S105 (public demo key, refused in production)
DEMO_FIELD_KEY = "ZGVtby1maWVsZC1rZXktdmVqdWQtMDAwMDAwMDAwMDA="
DEMO_HMAC_KEY = "demo-hmac-key-vejud-do-not-use-in-production"
DEMO_AUDIT_KEY = "demo-audit-key-vejud-do-not-use-in-production"

DEBUG = env_bool("DEBUG", default=True)
TESTING = "pytest" in sys.modules or env_bool("VEJUD_TESTING", default=False)
SECRET_KEY = env_str("SECRET_KEY", DEMO_SECRET_KEY)
VEJUD_FIELD_KEYS = env_list("VEJUD_FIELD_KEYS", [DEMO_FIELD_KEY])
# Keys of the CPR lookup hashes, newest first: new hashes use the first, lookups try every
# key, and ``vejud rotate-keys`` re-hashes under the first (``vejud.core.crypto``).
VEJUD_HMAC_KEYS = env_list("VEJUD_HMAC_KEY", [DEMO_HMAC_KEY])
# Keys of the audit trail's HMAC chain and checkpoints, newest first (vejud.audit.keys): new
# records are linked with the first, older records are checked with the key their row names.
VEJUD_AUDIT_KEYS = env_list("VEJUD_AUDIT_KEYS", [DEMO_AUDIT_KEY])
# Signed checkpoints of the chain head (vejud audit checkpoint): an append-only file the
# operator ships off the database server; ``vejud audit verify --against`` reads it back.
VEJUD_AUDIT_CHECKPOINTS = env_str("VEJUD_AUDIT_CHECKPOINTS", str(VAR_DIR / "audit-checkpoints.log"))

if not DEBUG:
    _demo_in_use = [
        name
        for name, in_use in (
            ("SECRET_KEY", SECRET_KEY == DEMO_SECRET_KEY),
            ("VEJUD_FIELD_KEYS", DEMO_FIELD_KEY in VEJUD_FIELD_KEYS),
            ("VEJUD_HMAC_KEY", DEMO_HMAC_KEY in VEJUD_HMAC_KEYS),
            ("VEJUD_AUDIT_KEYS", DEMO_AUDIT_KEY in VEJUD_AUDIT_KEYS),
        )
        if in_use
    ]
    if _demo_in_use:
        raise ImproperlyConfigured(
            "Refusing to start with DEBUG off while demo keys are in use: "
            + ", ".join(_demo_in_use)
            + ". Set real secrets in the environment (or *_FILE)."
        )
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters.")
    if not VEJUD_HMAC_KEYS or any(len(key) < 32 for key in VEJUD_HMAC_KEYS):
        raise ImproperlyConfigured("VEJUD_HMAC_KEY must hold keys of at least 32 characters.")
if not VEJUD_AUDIT_KEYS or any(len(key) < 32 for key in VEJUD_AUDIT_KEYS):
    raise ImproperlyConfigured("VEJUD_AUDIT_KEYS must hold keys of at least 32 characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "vejud.core",
    "vejud.organisations",
    "vejud.accounts",
    "vejud.people",
    "vejud.cases",
    "vejud.access",
    "vejud.audit",
    "vejud.offers",
    "vejud.intake",
    "vejud.assessments",
    "vejud.actions",
    "vejud.decisions",
    "vejud.courses",
    "vejud.followup",
    "vejud.transfers",
    "vejud.worklist",
    "vejud.statistics",
    "vejud.exports",
    "vejud.frontdoor",
    "vejud.quality",
    "vejud.pool",
    "vejud.training",
    "vejud.reference",
    "vejud.auditor",
    "vejud.portal",
    "vejud.privacy",
    "vejud.advice",
    "vejud.casedocs",
    "vejud.outcomes",
    "vejud.api",
    "vejud.demo",
    "vejud.organisations.admin_apps.VejudAdminConfig",  # django.contrib.admin, vejud's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_htmx",
    "template_partials",
    "ninja",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "vejud.core.bodylimit.BodySizeLimitMiddleware",  # 413 from Content-Length, body unread
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "vejud.core.headers.PrivateResponseMiddleware",
    "csp.middleware.CSPMiddleware",
    "vejud.core.request_cache.RequestCacheMiddleware",
    # Django's session middleware, except that a failed save never turns a committed write
    # into an error (vejud.core.outage).
    "vejud.core.outage.CommittedSessionMiddleware",
    "vejud.accounts.middleware.SessionLifetimeMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "vejud.core.middleware.InputLimitsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-otp's OTPMiddleware, with the verification and the scope kept for a minute.
    "vejud.accounts.middleware.SessionOTPMiddleware",
    "vejud.core.middleware.VejudLoginRequiredMiddleware",
    "vejud.accounts.middleware.MFARequiredMiddleware",
    "vejud.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # vejud's 404 page also with DEBUG on (Django's technical page lists every URL).
    "vejud.portal.middleware.OwnNotFoundPageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "vejud.core.middleware.ConflictMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last: a write sent with an idempotency key runs in one transaction with its stored
    # answer, so a repeat after a 503 returns it instead of writing again.
    "vejud.core.idempotency.IdempotencyMiddleware",
]
# bench/run only: the SQL query count of each response as a header, and the Django admin
# over the cases table as the comparison (vejud.cases.bench_admin). Never on by default.
if env_bool("VEJUD_BENCH_QUERY_COUNT", default=False):
    MIDDLEWARE.insert(0, "vejud.core.querycount.QueryCountMiddleware")
VEJUD_BENCH_ADMIN = env_bool("VEJUD_BENCH_ADMIN", default=False)

ROOT_URLCONF = "vejud.urls"
WSGI_APPLICATION = "vejud.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "vejud" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vejud.core.context_processors.csp_nonce",
                "vejud.portal.context_processors.navigation",
                "vejud.access.context_processors.break_glass",
            ],
            "debug": DEBUG,
            "builtins": ["vejud.core.templatetags.idempotency"],
        },
    }
]

_default_db = f"sqlite:///{VAR_DIR / 'vejud.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_db))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE: a write transaction takes the lock at BEGIN, so concurrent
    # writers queue instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # dj_database_url.parse has put CONN_MAX_AGE=0 there already: assign, do not setdefault.
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The schema owner (vejud.core.owner): migrate, flush and ``vejud db`` connect with this URL
# when it is set, so the application's role (DATABASE_URL) need not own the tables. Never
# inside pytest: the test databases are made with the test settings' own connection.
_migrate_url = "" if "pytest" in sys.modules else env_str("VEJUD_MIGRATE_DATABASE_URL", "")
VEJUD_MIGRATE_DATABASE = dj_database_url.parse(_migrate_url) if _migrate_url else None
# The role that `vejud db grant-app-role` (and `migrate` as the owner) grants the application's
# rights to: by default the user of DATABASE_URL when the owner is another user.
_app_user = DATABASES["default"].get("USER") or ""
VEJUD_APP_DB_ROLE = env_str(
    "VEJUD_APP_DB_ROLE",
    _app_user if VEJUD_MIGRATE_DATABASE and VEJUD_MIGRATE_DATABASE.get("USER") != _app_user else "",
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Tests create many users; argon2 stays the production hasher.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions: idle timeout 30 minutes (renewed on every request), absolute 12 hours.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("VEJUD_SESSION_IDLE_SECONDS", 30 * 60)
# The idle expiry is renewed when the session is saved: MFARequiredMiddleware marks it
# changed at most once a minute (vejud_last_seen_at), not an UPDATE on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
VEJUD_SESSION_ABSOLUTE_SECONDS = env_int("VEJUD_SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
VEJUD_REAUTH_SECONDS = env_int("VEJUD_REAUTH_SECONDS", 5 * 60)
# Staff single sign-on (OpenID Connect, vejud.accounts.sso): the providers, whether the
# password login stays open (break-glass administrators keep it when it is off), and after
# how many days without a login a user linked to a provider is deactivated; how many days
# an invitation link (vejud.accounts.invitations) stays valid.
VEJUD_OIDC_PROVIDERS = env_oidc_providers()
VEJUD_PASSWORD_LOGIN = env_bool("VEJUD_PASSWORD_LOGIN", default=True)
VEJUD_OIDC_INACTIVE_DAYS = env_int("VEJUD_OIDC_INACTIVE_DAYS", 90)
VEJUD_OIDC_INVITATION_DAYS = env_int("VEJUD_OIDC_INVITATION_DAYS", 7)
VEJUD_OIDC_TIMEOUT_SECONDS = env_int("VEJUD_OIDC_TIMEOUT_SECONDS", 10)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS only in production: plain HTTP is redirected (the proxy sets X-Forwarded-Proto), except
# the health check a load balancer probes over plain HTTP. HSTS as Django's deployment
# checklist recommends: a year, every subdomain, ready for the browsers' preload list.
SECURE_SSL_REDIRECT = env_bool("VEJUD_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("VEJUD_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("VEJUD_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("VEJUD_HSTS_PRELOAD", default=True)
# Browser features no page uses, switched off (vejud.core.headers.PrivateResponseMiddleware).
VEJUD_PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()"
)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The proxies in front (addresses or networks, comma-separated): behind them the client's
# address is taken from X-Forwarded-For (vejud.core.clientip); from anywhere else it is ignored.
VEJUD_TRUSTED_PROXIES = env_list("VEJUD_TRUSTED_PROXIES", [])
for _proxy in VEJUD_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"VEJUD_TRUSTED_PROXIES: {_proxy!r} is not an address") from _exc

# Login throttling (django-axes): per account and client address together, so failures from
# one office behind a shared address lock out only the account that failed, from there.
AXES_ENABLED = env_bool("VEJUD_AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env_int("VEJUD_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "vejud.core.clientip.client_ip"
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "vejud.accounts.views.lockout"

# The public inquiry form's limit per client address (django-ratelimit), counted in a cache
# every worker shares: a table in the database (created by the frontdoor app's migration).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "vejud_ratelimit_cache",
    },
}
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_ENABLE = env_bool("VEJUD_PUBLIC_RATELIMIT", default=True)
VEJUD_PUBLIC_INQUIRY_RATE = env_str("VEJUD_PUBLIC_INQUIRY_RATE", "5/h")
# A public inquiry's answer is due this many days after it arrived; its content is purged this
# many days after it arrived if nobody registered or closed it (at once when they did).
VEJUD_PUBLIC_INQUIRY_RESPONSE_DAYS = env_int("VEJUD_PUBLIC_INQUIRY_RESPONSE_DAYS", 2)
VEJUD_PUBLIC_INQUIRY_RETENTION_DAYS = env_int("VEJUD_PUBLIC_INQUIRY_RETENTION_DAYS", 90)
# The form counts as sent by a person only when filled in for at least this many seconds.
VEJUD_PUBLIC_FORM_MIN_SECONDS = env_int("VEJUD_PUBLIC_FORM_MIN_SECONDS", 3)

OTP_TOTP_ISSUER = "vejud"
OTP_TOTP_THROTTLE_FACTOR = 1
# Wrong second-factor codes double the wait (1, 2, 4 ... s) up to this cap, so someone who knows
# a password cannot keep its owner out of the second factor for long (vejud.accounts.services).
VEJUD_MFA_THROTTLE_MAX_SECONDS = env_int("VEJUD_MFA_THROTTLE_MAX_SECONDS", 300)

# Personal API tokens: the lifetime offered by default, and the longest the operator allows
# (enforced when a token is created and when it is used, so lowering it shortens old ones too).
VEJUD_API_TOKEN_DAYS = env_int("VEJUD_API_TOKEN_DAYS", 30)
VEJUD_API_TOKEN_MAX_DAYS = env_int("VEJUD_API_TOKEN_MAX_DAYS", 90)
if not 1 <= VEJUD_API_TOKEN_DAYS <= VEJUD_API_TOKEN_MAX_DAYS:
    raise ImproperlyConfigured(
        "VEJUD_API_TOKEN_DAYS must be between 1 and VEJUD_API_TOKEN_MAX_DAYS."
    )

# Content security policy: no inline script or style, nothing from other hosts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "vejud" / "locale"]
FORMAT_MODULE_PATH = ["vejud.formats"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "vejud" / "static",
    ("dkfds", BASE_DIR / "node_modules" / "dkfds" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Font formats other than woff/woff2 are fallbacks for old browsers; compressing them
# with brotli at every deploy took most of collectstatic's time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "ttf", "otf", "eot"]
MEDIA_ROOT = VAR_DIR / "media"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if TESTING:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "vejud@localhost")

# Case work settings.
VEJUD_BREAK_GLASS_MINUTES = env_int("VEJUD_BREAK_GLASS_MINUTES", 60)
# How long an offered training seat is held for the next in line on the waiting list.
VEJUD_TRAINING_OFFER_HOURS = env_int("VEJUD_TRAINING_OFFER_HOURS", 48)
# Training that matters for access (off by default, also in the demo): a capability is withheld
# from a user without a valid completion of the named course, e.g.
# "manage_person_access=beskyttet-adresse,view_cases=grundkursus" (vejud.access.rules).
VEJUD_TRAINING_FOR_ACCESS: dict[str, str] = {}
for _pair in env_list("VEJUD_TRAINING_FOR_ACCESS", []):
    _capability, _sep, _course = _pair.partition("=")
    if not (_sep and _capability.strip() and _course.strip()):
        raise ImproperlyConfigured(f"VEJUD_TRAINING_FOR_ACCESS: {_pair!r} is not capability=course")
    VEJUD_TRAINING_FOR_ACCESS[_capability.strip()] = _course.strip()
VEJUD_CASELOAD_PAGE_SIZE = env_int("VEJUD_CASELOAD_PAGE_SIZE", 25)
VEJUD_ASSESSMENT_DAYS = env_int("VEJUD_ASSESSMENT_DAYS", 30)
VEJUD_REFERRAL_DAYS = env_int("VEJUD_REFERRAL_DAYS", 30)
VEJUD_REVIEW_DAYS = env_int("VEJUD_REVIEW_DAYS", 90)
# The points after a course ended by completion or interruption at which the unit records the
# outcome (vejud.outcomes), in months: "6,12,24".
VEJUD_OUTCOME_MONTHS = tuple(
    sorted({int(m) for m in env_list("VEJUD_OUTCOME_MONTHS", ["6", "12", "24"])})
)
if not VEJUD_OUTCOME_MONTHS or min(VEJUD_OUTCOME_MONTHS) < 1:
    raise ImproperlyConfigured("VEJUD_OUTCOME_MONTHS: whole months of 1 or more, e.g. 6,12,24")
VEJUD_RELEASE_PLAN_DAYS = env_int("VEJUD_RELEASE_PLAN_DAYS", 60)
# Request bodies outside file uploads (vejud.core.limits states every input limit): over
# the limit answers 413 (vejud.core.refusals).
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = MAX_FIELDS
# Days a local unit has to answer a case review the contact point sent it (its task list).
VEJUD_REVIEW_ANSWER_DAYS = env_int("VEJUD_REVIEW_ANSWER_DAYS", 30)
# Exports (vejud.exports): the most rows one export holds (an XLSX sheet holds 1,048,576 with
# the header), how many hours the file is kept for its requester, and how many of a user's
# exports may wait or run at once.
VEJUD_EXPORT_MAX_ROWS = env_int("VEJUD_EXPORT_MAX_ROWS", 1_048_575)
VEJUD_EXPORT_KEEP_HOURS = env_int("VEJUD_EXPORT_KEEP_HOURS", 24)
VEJUD_EXPORTS_OPEN_PER_USER = env_int("VEJUD_EXPORTS_OPEN_PER_USER", 3)
# Seconds a rendered statistics body (the overview, the dashboard) is kept in each worker's
# cache (vejud.statistics.kept). It is kept by the digest of its figures, so this bounds
# memory, not staleness.
VEJUD_STATISTICS_KEEP_SECONDS = env_int("VEJUD_STATISTICS_KEEP_SECONDS", 3600)
# Days a mentor keeps the case after it ends, to write the final meeting note; then 404.
VEJUD_MENTOR_GRACE_DAYS = env_int("VEJUD_MENTOR_GRACE_DAYS", 14)
# Advice (issue 15): opening hours per weekday ("9-16", or five "9-16,9-16,9-16,9-16,9-14") in
# Copenhagen time, Danish public holidays closed; response-time targets in working hours.
VEJUD_WORKING_HOURS = env_str("VEJUD_WORKING_HOURS", "9-16")
VEJUD_ADVICE_ACCESS_DAYS = env_int("VEJUD_ADVICE_ACCESS_DAYS", 30)
VEJUD_ADVICE_URGENT_FIRST_RESPONSE_HOURS = env_int("VEJUD_ADVICE_URGENT_FIRST_RESPONSE_HOURS", 1)
VEJUD_ADVICE_NORMAL_ANSWER_HOURS = env_int("VEJUD_ADVICE_NORMAL_ANSWER_HOURS", 5 * 7)
# Retention (vejud.privacy.retention): years after a case ends before the person's records are
# anonymised, per kind of case; the person's date is their newest case's. Never under one year.
VEJUD_RETENTION_COURSE_YEARS = env_int("VEJUD_RETENTION_COURSE_YEARS", 5)
VEJUD_RETENTION_NO_COURSE_YEARS = env_int("VEJUD_RETENTION_NO_COURSE_YEARS", 2)
for _name in ("VEJUD_RETENTION_COURSE_YEARS", "VEJUD_RETENTION_NO_COURSE_YEARS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1 (year).")
# Largest attachment (quote, invoice) on a grant application to the central pool.
VEJUD_POOL_ATTACHMENT_MAX_BYTES = env_int("VEJUD_POOL_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# Largest document (letter, report, scanned paper) kept on a case.
VEJUD_CASE_DOCUMENT_MAX_BYTES = env_int("VEJUD_CASE_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
# Largest request body (declared Content-Length) read at all: the largest attachment plus room
# for the form around it; larger is refused with 413 before a byte of it is read.
VEJUD_MAX_REQUEST_BYTES = env_int(
    "VEJUD_MAX_REQUEST_BYTES",
    max(VEJUD_POOL_ATTACHMENT_MAX_BYTES, VEJUD_CASE_DOCUMENT_MAX_BYTES) + 1024 * 1024,
)
# Largest image (pixels) an attachment may decode to: a photographed quote is far below it, a
# decompression bomb (a tiny file claiming 50,000 x 50,000 pixels) far above.
VEJUD_IMAGE_MAX_PIXELS = env_int("VEJUD_IMAGE_MAX_PIXELS", 40_000_000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Never log request bodies or SQL parameters: they can hold protected data.
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
