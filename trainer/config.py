"""Default configuration. Nothing here reads the environment: the factory layers the rest."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    """Values every deployment starts from; override in instance/config.py or TRAINER_*."""

    # None means: a SQLite file in the instance folder.
    DATABASE_URL = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}  # noqa: RUF012
    # None means: generated once into the instance folder.
    SECRET_KEY = None
    LESSONS_DIR = str(PROJECT_ROOT / "lessons")
    QUIZZES_DIR = str(PROJECT_ROOT / "quizzes")

    # scrypt with N=2**15, r=8, p=1: about 100 ms of CPU and 32 MiB per hash on the 2-core
    # machine bench/README.md describes, so a stolen hash is slow to guess and a sign-in is
    # not. Werkzeug's `method` string; stored hashes keep the parameters they were made with.
    PASSWORD_HASH_METHOD = "scrypt:32768:8:1"  # noqa: S105 (parameters, not a password)

    REGISTRATION_OPEN = True
    # How long an invitation link (from an employee import) lets its person set a password.
    INVITATION_MAX_AGE_DAYS = 14
    # How long an e-mailed password reset link works (once).
    PASSWORD_RESET_MAX_AGE_MINUTES = 60
    BABEL_DEFAULT_LOCALE = "pl"
    LANGUAGES = ("pl", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Set both to True behind HTTPS in production.
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False

    # Activity ids in xAPI statements live under this IRI; statement ids are derived from it,
    # so keep it fixed once statements have been sent to a learning record store.
    XAPI_BASE_IRI = "https://trainer.example/xapi"

    # Rate limits per client address; several instances share them through Redis, e.g.
    # RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379" (needs the `redis` extra).
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True  # Retry-After on a 429, and the budget left
    # Behind a reverse proxy, how many proxies to trust for the client's address and scheme
    # (0: none). Without it every request seems to come from the proxy.
    TRUSTED_PROXIES = 0
    SIGN_IN_RATE_LIMIT = "10 per minute"  # sign-in, registration, invitations, resets
    PASSWORD_RESET_RATE_LIMIT = "3 per hour"  # reset e-mails to one address  # noqa: S105
    API_RATE_LIMIT = "120 per minute"

    WTF_CSRF_TIME_LIMIT = None  # a token lives as long as the session it belongs to
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
