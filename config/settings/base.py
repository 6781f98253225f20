"""Settings shared by every environment. Everything that differs comes from the environment."""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "tinget.core",
    "tinget.accounts",
    "tinget.reports",
    "tinget.initiatives",
    "tinget.consultations",
    "tinget.journal",
    "tinget.api",
    # The local OpenID Connect provider (Part A). Installed everywhere, mounted only when DEV_IDP_ENABLED.
    "tinget.devidp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "tinget.api.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Part D (issue 3): idle sessions end; the admin needs a second factor. After auth and messages.
    "tinget.accounts.middleware.SessionIdleTimeoutMiddleware",
    "tinget.accounts.middleware.StaffTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "tinget.core.ratelimit.RateLimitMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "tinget.core.context_processors.site",
            ],
            "builtins": ["django.templatetags.i18n", "tinget.core.templatetags.components"],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------
# SQLite is the embedded default. WAL lets readers and one writer work at once; IMMEDIATE transactions
# and a busy timeout make concurrent writers queue instead of failing with "database is locked".
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tinget.sqlite3'}"),
}


def tune_database(db):
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db.setdefault("OPTIONS", {}).update(
            {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                    "PRAGMA busy_timeout=20000;"
                ),
            }
        )
    else:
        db.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
        db.setdefault("CONN_HEALTH_CHECKS", True)
    db.setdefault("ATOMIC_REQUESTS", False)
    return db


tune_database(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, e-mail, tasks -------------------------------------------------------------------------
CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://tinget"),
    # What every page shows alike to every visitor in a language: pieces of the layout (asset links, menu,
    # footer, the header of a visitor who is not logged in; see base.html), the whole hub for such a
    # visitor, and the municipality profile for a few seconds. Each process keeps its own, so they cost no
    # round trip to a shared cache and a restart (a deploy) never serves an old one. Development and tests
    # turn it off.
    "layout": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "tinget-layout",
        # The anonymous header varies with the page's path, so there is one piece per page visited.
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
    # Progress of background jobs (a journal import), written by the worker while its own transaction is still
    # open and read by the staff page in another process: shared by every process on the host (or set
    # JOBS_CACHE_URL to the shared cache when workers run elsewhere).
    "jobs": env.cache_url("JOBS_CACHE_URL", default=f"filecache://{VAR_DIR / 'cache' / 'jobs'}"),
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "tinget.core.cache.RedisCache"  # one client per pool, not one per call
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Tinget <ikke-svar@tinget.example.no>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Part B (issue 3): a notification e-mail is sent inside the transaction that marks it as sent (so it is never
# sent twice); a mail server that hangs must not hold that transaction, or SQLite's write lock, for long.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=EMAIL_CONFIG.get("EMAIL_TIMEOUT") or 10)

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- Auth -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:hub"
SITE_ID = 1

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
ACCOUNT_ADAPTER = "tinget.accounts.adapter.AccountAdapter"
# Our labels and hints on allauth's forms (tinget/accounts/forms.py).
ACCOUNT_FORMS = {
    "login": "tinget.accounts.forms.LoginForm",
    "signup": "tinget.accounts.forms.SignupForm",
    "reset_password": "tinget.accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "tinget.accounts.forms.ResetPasswordKeyForm",
    "change_password": "tinget.accounts.forms.ChangePasswordForm",
    "set_password": "tinget.accounts.forms.SetPasswordForm",
    "add_email": "tinget.accounts.forms.AddEmailForm",
    "reauthenticate": "tinget.accounts.forms.ReauthenticateForm",
}

# Sessions are read from the cache and written through to the database: a logged-in page then costs no
# session query, and nobody is logged out when the cache is cleared or a process restarts.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_EXPIRE_AT_BROWSER_CLOSE = False

# --- Language and time ----------------------------------------------------------------------------
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("nn", _("Norwegian Nynorsk")), ("en", _("English"))]
# Our own catalogues first; locale_vendor holds translations of third-party strings (allauth has no
# Nynorsk), kept apart so that makemessages never marks them obsolete.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "tinget_language"

# --- Static files ---------------------------------------------------------------------------------
# Front-end packages are served straight from the installed npm packages; nothing third-party is copied
# into the repository.
NODE_MODULES = BASE_DIR / "node_modules"
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    ("vendor/designsystemet-css", NODE_MODULES / "@digdir/designsystemet-css/dist/src"),
    ("vendor/designsystemet-theme", NODE_MODULES / "@digdir/designsystemet-theme/brand"),
    ("vendor/htmx", NODE_MODULES / "htmx.org/dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet/dist"),
]
# Uploaded files (report photos …) go through Django's storage API: local files under var/media by default,
# any S3-compatible object store when TINGET_MEDIA_STORAGE=s3 (django-storages; AWS_* variables below).
TINGET_MEDIA_STORAGE = env("TINGET_MEDIA_STORAGE", default="local")
_S3_OPTIONS = {
    "bucket_name": env("AWS_STORAGE_BUCKET_NAME", default=""),
    "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
    "region_name": env("AWS_S3_REGION_NAME", default=None),
    "access_key": env("AWS_ACCESS_KEY_ID", default=None),
    "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
    "file_overwrite": False,
}
PROTECTED_MEDIA_ROOT = Path(env("TINGET_PROTECTED_MEDIA_ROOT", default=str(VAR_DIR / "protected-media")))
STORAGES = {
    "default": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **_S3_OPTIONS,
                "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default=None),
                "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=False),
            },
        }
        if TINGET_MEDIA_STORAGE == "s3"
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    # Report photos are never served straight from storage: a view checks that the viewer may see each one
    # (a moderator can hide a photo), so they live where no web server publishes them.
    "report_photos": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**_S3_OPTIONS, "location": "report-photos", "default_acl": "private"},
        }
        if TINGET_MEDIA_STORAGE == "s3"
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": PROTECTED_MEDIA_ROOT},
        }
    ),
    # Attachments to initiatives: public once the initiative is, so a view checks before serving.
    "initiative_files": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**_S3_OPTIONS, "location": "initiative-files", "default_acl": "private"},
        }
        if TINGET_MEDIA_STORAGE == "s3"
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": PROTECTED_MEDIA_ROOT / "initiatives"},
        }
    ),
    # Consultations' documents and the attachments to input: a view checks that the consultation is published
    # and the input not hidden before serving.
    "consultation_files": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**_S3_OPTIONS, "location": "consultation-files", "default_acl": "private"},
        }
        if TINGET_MEDIA_STORAGE == "s3"
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": PROTECTED_MEDIA_ROOT / "consultations"},
        }
    ),
    # The journal's public document files, answers to access requests and import files: a view checks who may
    # fetch each one.
    "journal_files": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**_S3_OPTIONS, "location": "journal-files", "default_acl": "private"},
        }
        if TINGET_MEDIA_STORAGE == "s3"
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": PROTECTED_MEDIA_ROOT / "journal"},
        }
    ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
WHITENOISE_MAX_AGE = 3600

# --- Security -------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "tinget.core.views.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Tinget ---------------------------------------------------------------------------------------
# Which municipality profile this installation serves (its kommunenummer).
TINGET_MUNICIPALITY = env("TINGET_MUNICIPALITY", default="3203")
# Writes allowed per person (or per network when anonymous) before answering 429.
TINGET_WRITE_RATE = env("TINGET_WRITE_RATE", default="60/10m")
TINGET_WRITE_RATE_NETWORK = env("TINGET_WRITE_RATE_NETWORK", default="300/10m")
TINGET_HUB_CACHE_SECONDS = env.int("TINGET_HUB_CACHE_SECONDS", default=300)

# Map tiles for Leaflet ({z}/{x}/{y}); empty: maps draw reports on a blank background (tests, offline).
# The tile host is added to the Content-Security-Policy's img-src below.
TINGET_MAP_TILES_URL = env("TINGET_MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
TINGET_MAP_ATTRIBUTION = env(
    "TINGET_MAP_ATTRIBUTION", default='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)
if TINGET_MAP_TILES_URL:
    from urllib.parse import urlsplit as _urlsplit

    _tiles = _urlsplit(TINGET_MAP_TILES_URL.replace("{s}", "*"))
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(f"{_tiles.scheme}://{_tiles.netloc}")

# Where the reporting form looks up an address typed instead of a map click (tinget/core/geocode.py): the
# local gazetteer (profile areas and postcodes plus profiles/<slug>-places.json, no network) or Kartverket's
# address API, "tinget.core.geocode.KartverketGeocoder" (server side; seconds to wait for it below).
TINGET_GEOCODER = env("TINGET_GEOCODER", default="tinget.core.geocode.LocalGeocoder")
TINGET_GEOCODER_TIMEOUT = env.float("TINGET_GEOCODER_TIMEOUT", default=3.0)

# Fault reports (tinget/reports): photo limits, the radius for "is this yours too?" and when to ask
# "is it fixed?".
TINGET_REPORT_PHOTO_MAX_BYTES = env.int("TINGET_REPORT_PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
TINGET_REPORT_PHOTO_MAX_PIXELS = env.int("TINGET_REPORT_PHOTO_MAX_PIXELS", default=40_000_000)
TINGET_REPORT_PHOTO_MAX_SIDE = env.int("TINGET_REPORT_PHOTO_MAX_SIDE", default=2048)
TINGET_REPORT_NEARBY_METRES = env.int("TINGET_REPORT_NEARBY_METRES", default=250)
TINGET_REPORT_QUESTIONNAIRE_DAYS = env.int("TINGET_REPORT_QUESTIONNAIRE_DAYS", default=28)
# The name, e-mail and phone of a reporter without an account are erased this long after the report closed.
TINGET_REPORT_REPORTER_RETENTION_DAYS = env.int("TINGET_REPORT_REPORTER_RETENTION_DAYS", default=730)

# --- Citizen initiatives (kommuneloven § 12-1) ------------------------------------------------------------
# The signing period the promoter may choose, in days.
TINGET_INITIATIVE_MIN_DAYS = env.int("TINGET_INITIATIVE_MIN_DAYS", default=30)
TINGET_INITIATIVE_MAX_DAYS = env.int("TINGET_INITIATIVE_MAX_DAYS", default=183)
TINGET_INITIATIVE_DECISION_MONTHS = env.int("TINGET_INITIATIVE_DECISION_MONTHS", default=6)
# Length limits on what the promoter writes (characters).
TINGET_INITIATIVE_TITLE_MAX = 120
TINGET_INITIATIVE_PROPOSAL_MAX = env.int("TINGET_INITIATIVE_PROPOSAL_MAX", default=3000)
TINGET_INITIATIVE_REASONS_MAX = env.int("TINGET_INITIATIVE_REASONS_MAX", default=6000)
TINGET_INITIATIVE_MAX_ATTACHMENTS = env.int("TINGET_INITIATIVE_MAX_ATTACHMENTS", default=5)
TINGET_INITIATIVE_ATTACHMENT_MAX_BYTES = env.int("TINGET_INITIATIVE_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
TINGET_INITIATIVE_MAX_CO_PROMOTERS = env.int("TINGET_INITIATIVE_MAX_CO_PROMOTERS", default=5)
# The counts shown are recounted from the signatures at most this often (seconds); the page a visitor who
# is not logged in gets is kept as long. Together they bound how far behind the number shown can be.
TINGET_INITIATIVE_COUNT_SECONDS = env.float("TINGET_INITIATIVE_COUNT_SECONDS", default=2)
TINGET_INITIATIVE_PAGE_CACHE_SECONDS = env.float("TINGET_INITIATIVE_PAGE_CACHE_SECONDS", default=2)
# Signing attempts per person, and per /24 or /48 network (a whole student home or workplace may sign).
TINGET_INITIATIVE_SIGN_RATE = env("TINGET_INITIATIVE_SIGN_RATE", default="10/m")
TINGET_INITIATIVE_SIGN_NETWORK_RATE = env("TINGET_INITIATIVE_SIGN_NETWORK_RATE", default="300/m")
# More signatures than this to one initiative from one network within the window is flagged for staff.
TINGET_INITIATIVE_BURST_COUNT = env.int("TINGET_INITIATIVE_BURST_COUNT", default=50)
TINGET_INITIATIVE_BURST_MINUTES = env.int("TINGET_INITIATIVE_BURST_MINUTES", default=10)
# Signatures are deleted this many days after the council's decision (or after the initiative expired,
# was withdrawn or refused).
TINGET_INITIATIVE_SIGNATURE_RETENTION_DAYS = env.int("TINGET_INITIATIVE_SIGNATURE_RETENTION_DAYS", default=90)

NINJA_PAGINATION_PER_PAGE = 25

# --- ID-porten and residency (issue 3, part A; see tinget/accounts/oidc.py and identity.py) -----------
# The OpenID Connect provider: https://idporten.no in production, https://test.idporten.no in test, the
# local provider (tinget/devidp) in development. Discovery is read from {issuer}/.well-known/openid-configuration.
IDPORTEN_ISSUER = env("IDPORTEN_ISSUER", default="")
IDPORTEN_CLIENT_ID = env("IDPORTEN_CLIENT_ID", default="")
IDPORTEN_CLIENT_SECRET = env("IDPORTEN_CLIENT_SECRET", default="")
# client_secret_post, client_secret_basic or private_key_jwt: how the client proves itself at the token
# endpoint. private_key_jwt signs a short-lived JWT with the client's RSA key (PEM in the variable, with
# "\n" for line breaks, or a file), whose public half is registered with ID-porten under IDPORTEN_CLIENT_KEY_ID
# (empty: the key's RFC 7638 thumbprint).
IDPORTEN_CLIENT_AUTH_METHOD = env("IDPORTEN_CLIENT_AUTH_METHOD", default="client_secret_post")
IDPORTEN_CLIENT_PRIVATE_KEY = env.str("IDPORTEN_CLIENT_PRIVATE_KEY", default="", multiline=True)
IDPORTEN_CLIENT_PRIVATE_KEY_FILE = env("IDPORTEN_CLIENT_PRIVATE_KEY_FILE", default="")
IDPORTEN_CLIENT_KEY_ID = env("IDPORTEN_CLIENT_KEY_ID", default="")
IDPORTEN_SCOPES = env("IDPORTEN_SCOPES", default="openid profile")
# The addresses registered with the provider; empty: built from the request (/idporten/callback/ and
# /idporten/logged-out/ on the host the person uses).
IDPORTEN_REDIRECT_URI = env("IDPORTEN_REDIRECT_URI", default="")
IDPORTEN_POST_LOGOUT_REDIRECT_URI = env("IDPORTEN_POST_LOGOUT_REDIRECT_URI", default="")
# Seconds to wait for the provider, and how long its discovery document and keys are remembered.
IDPORTEN_TIMEOUT = env.float("IDPORTEN_TIMEOUT", default=5.0)
IDPORTEN_METADATA_CACHE_SECONDS = env.int("IDPORTEN_METADATA_CACHE_SECONDS", default=600)
# Keys for the keyed hash of the national identity number: {"key-id": "secret", ...} as JSON; the current
# one is named by IDPORTEN_PID_KEY_ID. Keep old keys listed after a rotation (see oidc.pid_digests).
IDPORTEN_PID_KEYS = env.json("IDPORTEN_PID_KEYS", default={})
IDPORTEN_PID_KEY_ID = env("IDPORTEN_PID_KEY_ID", default="")
# How residency is decided (tinget.accounts.identity): the population register (the demo reads the test
# persons' registry) or a declared postcode.
TINGET_RESIDENCY_CHECK = env("TINGET_RESIDENCY_CHECK", default="tinget.accounts.identity.RegistryResidencyCheck")
TINGET_RESIDENCY_REGISTRY = env("TINGET_RESIDENCY_REGISTRY", default=str(BASE_DIR / "tinget/devidp/persons.json"))
# The local OpenID Connect provider (tinget/devidp): off unless a development or test setting turns it on;
# production settings refuse it. DEV_IDP_CLIENTS: {client_id: {"secret": ..., "redirect_uris": [...],
# "post_logout_redirect_uris": [...]}}; a client that signs its token requests has, instead of "secret",
# "token_endpoint_auth_method": "private_key_jwt" and "jwks": {"keys": [its public keys]}.
DEV_IDP_ENABLED = False
DEV_IDP_CLIENTS = {}
DEV_IDP_KEY_FILE = VAR_DIR / "devidp-key.pem"

# --- Staff, sessions and login throttling (issue 3, part D; see tinget/accounts/staff.py, middleware.py) ---
# A session ends after this many minutes without a request; staff sessions sooner.
TINGET_SESSION_IDLE_MINUTES = env.int("TINGET_SESSION_IDLE_MINUTES", default=60)
TINGET_STAFF_SESSION_IDLE_MINUTES = env.int("TINGET_STAFF_SESSION_IDLE_MINUTES", default=30)
# Login throttling, one policy in two layers. Every login attempt (right or wrong) counts against
# TINGET_LOGIN_RATE per address and TINGET_LOGIN_RATE_NETWORK per /24 or /64 network (our limiter, a 429
# page; tinget/accounts/adapter.py). Failed attempts count against TINGET_LOGIN_FAILED_RATE per address
# ("ip") and per account ("key"; allauth, an error on the form): it also limits wrong two-factor codes per
# account, so guessing a code is as slow as guessing a password.
TINGET_LOGIN_RATE = env("TINGET_LOGIN_RATE", default="10/5m")
TINGET_LOGIN_RATE_NETWORK = env("TINGET_LOGIN_RATE_NETWORK", default="50/5m")
TINGET_LOGIN_FAILED_RATE = env("TINGET_LOGIN_FAILED_RATE", default="10/5m/ip,5/15m/key")
ACCOUNT_RATE_LIMITS = {"login_failed": TINGET_LOGIN_FAILED_RATE}
# Two-factor: an authenticator app (TOTP) with recovery codes; required for staff before the admin opens.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "tinget.accounts.mfa.MFAAdapter"
# Fernet keys (newest first) that encrypt two-factor secrets at rest; see tinget/accounts/mfa.py.
TINGET_MFA_KEYS = env.list("TINGET_MFA_KEYS", default=[])
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="Tinget")
# One step of clock drift either way: phones are often a few seconds off.
MFA_TOTP_TOLERANCE = 1

# --- Privacy: retention (issue 3, part C; see tinget/accounts/privacy.py and docs/operations.md) ---------
# Accounts whose e-mail address was never confirmed are deleted after this many days.
TINGET_UNVERIFIED_ACCOUNT_DAYS = env.int("TINGET_UNVERIFIED_ACCOUNT_DAYS", default=14)
# Notifications the person has read are deleted this many days after they were made.
TINGET_NOTIFICATION_RETENTION_DAYS = env.int("TINGET_NOTIFICATION_RETENTION_DAYS", default=365)
# The log of staff reading a person's data keeps what was read for this many days; after that only when,
# by whom, which unit and whose account number remain.
TINGET_STAFF_READ_DETAIL_DAYS = env.int("TINGET_STAFF_READ_DETAIL_DAYS", default=730)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Consultations (høringer) -----------------------------------------------------------------------------------
# Input: the longest text, and how many attachments of what size. Uploads above FILE_UPLOAD_MAX_MEMORY_SIZE go to
# a temporary file and are copied to storage in chunks, so a 20 MB attachment is never held in memory.
TINGET_CONSULTATION_TEXT_MAX = env.int("TINGET_CONSULTATION_TEXT_MAX", default=20_000)
TINGET_CONSULTATION_COMMENT_MAX = env.int("TINGET_CONSULTATION_COMMENT_MAX", default=4_000)
TINGET_CONSULTATION_MAX_ATTACHMENTS = env.int("TINGET_CONSULTATION_MAX_ATTACHMENTS", default=5)
TINGET_CONSULTATION_ATTACHMENT_MAX_BYTES = env.int("TINGET_CONSULTATION_ATTACHMENT_MAX_BYTES", default=25 * 1024 * 1024)
TINGET_CONSULTATION_DOCUMENT_MAX_BYTES = env.int("TINGET_CONSULTATION_DOCUMENT_MAX_BYTES", default=50 * 1024 * 1024)
# Input pages (public and staff) show this many per page.
TINGET_CONSULTATION_PAGE_SIZE = env.int("TINGET_CONSULTATION_PAGE_SIZE", default=25)
# An unsent draft's author is reminded this many hours before the deadline; drafts that can no longer be sent are
# deleted this many days after the deadline (or at once when processing starts).
TINGET_CONSULTATION_REMINDER_HOURS = env.int("TINGET_CONSULTATION_REMINDER_HOURS", default=48)
TINGET_CONSULTATION_DRAFT_RETENTION_DAYS = env.int("TINGET_CONSULTATION_DRAFT_RETENTION_DAYS", default=30)
# A consultation's page is kept this long for visitors who are not logged in (per process), so that thousands of
# inputs are not counted on every view; new input shows up at most this much later.
TINGET_CONSULTATION_PAGE_CACHE_SECONDS = env.float("TINGET_CONSULTATION_PAGE_CACHE_SECONDS", default=2)

# The input lists' covering index (consultations.Submission) is PostgreSQL's; SQLite builds it without the included
# columns, which is all it can do, and would say so on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Public mail journal and access requests (issue 7) --------------------------------------------------------------
TINGET_JOURNAL_PAGE_SIZE = env.int("TINGET_JOURNAL_PAGE_SIZE", default=20)
# Correspondents who are private persons stop being searchable this long after publication (as in eInnsyn).
TINGET_JOURNAL_NAME_SEARCH_DAYS = env.int("TINGET_JOURNAL_NAME_SEARCH_DAYS", default=365)
# offentleglova § 32: no answer within this many working days counts as a refusal the requester can appeal.
TINGET_JOURNAL_ANSWER_WORKING_DAYS = env.int("TINGET_JOURNAL_ANSWER_WORKING_DAYS", default=5)
# The unit that answers requests for the whole journal of a period (§ 28).
TINGET_JOURNAL_PERIOD_UNIT = env("TINGET_JOURNAL_PERIOD_UNIT", default="dokumentsenteret")
TINGET_JOURNAL_BASKET_MAX = env.int("TINGET_JOURNAL_BASKET_MAX", default=100)
TINGET_JOURNAL_IMPORT_MAX_BYTES = env.int("TINGET_JOURNAL_IMPORT_MAX_BYTES", default=2 * 1024**3)
TINGET_JOURNAL_ANSWER_FILE_MAX_BYTES = env.int("TINGET_JOURNAL_ANSWER_FILE_MAX_BYTES", default=25 * 1024**2)
# Access requests (and their answer files) are deleted this long after the last answer or appeal; the statistics
# then no longer count them, so the period is years.
TINGET_JOURNAL_REQUEST_RETENTION_DAYS = env.int("TINGET_JOURNAL_REQUEST_RETENTION_DAYS", default=3 * 365)
