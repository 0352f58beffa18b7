"""Django settings for SafePlan, all from SAFEPLAN_* environment variables (see env.py).

Secure by default: DEBUG off, secure cookies with the ``__Host-`` prefix, CSRF everywhere, a
Content-Security-Policy with no inline script (security.py), Argon2 password hashing.
"""

from __future__ import annotations

from pathlib import Path

from safeplan.web.env import WebEnv

WEB_DIR = Path(__file__).resolve().parent
ENV = WebEnv()

SECRET_KEY = ENV.key()
AUDIT_KEY = ENV.audit_secret()
SHARE_RECORDS = ENV.share_records
AUDIT_HEADS = ENV.audit_heads_file()
DEBUG = ENV.debug
ALLOWED_HOSTS = ENV.hosts()
PARTNERSHIP_NAME = ENV.partnership

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "safeplan.web.public",
    "safeplan.web.accounts",
    "safeplan.web.audit",
    "safeplan.web.dashboard",
    "safeplan.web.uploads",
    "safeplan.web.api",
    "safeplan.web.tracker",
    "safeplan.web.editor",
    "safeplan.web.survey",
    "safeplan.web.returns",
    # two-step sign-in (accounts/twostep.py): authenticator apps and recovery codes
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that static files get the security headers too.
    "safeplan.web.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Deny by default: a view that declares no audience (accounts/access.py) is refused.
    "safeplan.web.accounts.access.AccessPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "safeplan.web.urls"
WSGI_APPLICATION = "safeplan.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,  # each app's templates in its jinja2/ folder
        "OPTIONS": {"environment": "safeplan.web.jinja2.environment"},
    },
]

DATABASES = {"default": ENV.database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "partner:dashboard"
CSRF_FAILURE_VIEW = "safeplan.web.accounts.views.csrf_failure"

# Optional single sign-on over OpenID Connect (Microsoft Entra ID), with mozilla-django-oidc.
# Off unless SAFEPLAN_OIDC_ISSUER is set; local passwords stay for break-glass accounts. The
# provider's endpoints (authorization, token, JWKS) come from its discovery document when first
# needed (accounts/oidc.py), so an unreachable provider cannot stop the app starting.
if ENV.sso():
    AUTHENTICATION_BACKENDS = [
        "django.contrib.auth.backends.ModelBackend",
        "safeplan.web.accounts.oidc.SSOBackend",
    ]
    OIDC_OP_ISSUER = ENV.oidc_issuer
    OIDC_ALLOWED_ISSUERS = ENV.allowed_issuers()
    OIDC_BUTTON_LABEL = ENV.oidc_button_label
    OIDC_RP_CLIENT_ID = ENV.oidc_client_id
    OIDC_RP_CLIENT_SECRET = (
        ENV.oidc_client_secret.get_secret_value() if ENV.oidc_client_secret else ""
    )
    OIDC_RP_SIGN_ALGO = "RS256"
    OIDC_RP_SCOPES = "openid email profile"
    OIDC_USE_PKCE = True
    OIDC_STORE_ACCESS_TOKEN = False
    OIDC_STORE_ID_TOKEN = False
    OIDC_CREATE_USER = False  # an administrator adds each user, with an agency and a role
    OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:sso-callback"
    OIDC_TIMEOUT = 10

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = ENV.home / "static"  # `python -m safeplan.web collectstatic` for production
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing one
STATICFILES_DIRS = [WEB_DIR / "static"]
WHITENOISE_USE_FINDERS = True  # serve straight from the package: no collectstatic for a demo
WHITENOISE_AUTOREFRESH = DEBUG

# Cookies and sessions. Browsers accept Secure cookies from http://localhost, so these hold
# for `make demo` too; only DEBUG relaxes them.
_SECURE = not DEBUG
SESSION_COOKIE_SECURE = _SECURE
CSRF_COOKIE_SECURE = _SECURE
SESSION_COOKIE_NAME = "__Host-sessionid" if _SECURE else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if _SECURE else "csrftoken"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60  # a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Headers (with security.py): nosniff, no referrer off-site, no framing, isolation.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if ENV.https:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True

DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # forms; file uploads get their own limit
# Uploaded files go straight to disk, and stop at SAFEPLAN_MAX_FILE_MB in all (uploads/limits).
FILE_UPLOAD_HANDLERS = ["safeplan.web.uploads.limits.LimitedUpload"]

# E-mail (the tracker's reminders): written to the console unless SAFEPLAN_EMAIL_BACKEND names
# another backend (SMTP: SAFEPLAN_EMAIL_HOST and the rest), so a demo never sends any.
EMAIL_BACKEND = ENV.email_backend
EMAIL_FILE_PATH = str(ENV.email_file_path or ENV.home / "mail")  # the file backend's (demo)
EMAIL_HOST = ENV.email_host
EMAIL_PORT = ENV.email_port
EMAIL_HOST_USER = ENV.email_host_user
EMAIL_HOST_PASSWORD = ENV.email_host_password.get_secret_value() if ENV.email_host_password else ""
EMAIL_USE_TLS = ENV.email_use_tls
EMAIL_TIMEOUT = 10  # seconds: a mail server that does not answer must not hang a page
DEFAULT_FROM_EMAIL = ENV.email_from

# People's e-mailed links (accounts/links.py): an invitation and a password reset, each expiring.
SAFEPLAN_SITE_URL = ENV.site_url
SAFEPLAN_LINK_TIMEOUTS = {
    "invitation": ENV.invitation_days * 24 * 60 * 60,
    "reset": ENV.password_reset_hours * 60 * 60,
}
PASSWORD_RESET_TIMEOUT = max(SAFEPLAN_LINK_TIMEOUTS.values())
OTP_TOTP_ISSUER = "SafePlan"  # the name an authenticator app shows beside the code

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
