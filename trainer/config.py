"""Default configuration. Nothing here reads the environment: the factory layers the rest."""

from pathlib import Path

import click

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent


def project_folder(name: str) -> Path:
    """A folder of the project beside the package (`static`, `lessons`, `quizzes`): the
    checkout's, or in an installed wheel the copy its build put inside the package."""
    packaged = PACKAGE_DIR / name
    return packaged if packaged.is_dir() else PROJECT_ROOT / name


class SettingError(click.ClickException):
    """A setting is missing or wrong, so Trainer does not start. A click error, as Flask's own
    "could not locate the app" is: the `flask` command prints the message, not a traceback."""


class Defaults:
    """Values every deployment starts from; override in instance/config.py or TRAINER_*."""

    # None means: a SQLite file in the instance folder.
    DATABASE_URL = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}  # noqa: RUF012
    # Required outside debug; the same on every instance.
    SECRET_KEY = None
    # Without SECRET_KEY, generate one into the instance folder: one machine only (`make run`).
    INSTANCE_SECRET_KEY = False
    LESSONS_DIR = str(project_folder("lessons"))
    QUIZZES_DIR = str(project_folder("quizzes"))

    # scrypt with N=2**15, r=8, p=1: about 100 ms of CPU and 32 MiB per hash on the 2-core
    # machine bench/README.md describes, so a stolen hash is slow to guess and a sign-in is
    # not. Werkzeug's `method` string; stored hashes keep the parameters they were made with.
    PASSWORD_HASH_METHOD = "scrypt:32768:8:1"  # noqa: S105 (parameters, not a password)

    # Self-registration: off, as a company's platform adds its people (admin pages, HR
    # import). When on, REGISTRATION_DOMAINS can limit it to company addresses, e.g.
    # ["firma.pl"] (or "firma.pl, firma.com" in TRAINER_REGISTRATION_DOMAINS). Each account
    # is confirmed through an e-mailed link, so it needs MAIL_SERVER (start-up says so).
    REGISTRATION_OPEN = False
    REGISTRATION_DOMAINS: tuple[str, ...] = ()
    # How long an invitation link (from an employee import) lets its person set a password.
    INVITATION_MAX_AGE_DAYS = 14
    # How long an e-mailed password reset link works (once).
    PASSWORD_RESET_MAX_AGE_MINUTES = 60
    BABEL_DEFAULT_LOCALE = "pl"
    # The zone times are shown in for someone who has not chosen one, and the one the CSV for
    # Excel and the XLSX write their times in and name in the header (an IANA name; the
    # plain CSV stays in UTC).
    TIME_ZONE = "Europe/Warsaw"
    LANGUAGES = ("pl", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Set both to True behind HTTPS in production.
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False

    # Activity ids in xAPI statements live under this IRI; statement ids are derived from it,
    # so keep it fixed once statements have been sent to a learning record store. Required
    # outside debug and testing (start-up says so), as is BASE_URL, the learners' homePage.
    XAPI_BASE_IRI = None
    # The instance's own address, e.g. "https://trainer.firma.pl": links in e-mails and the
    # CLI, and the homePage of every learner's xAPI account.
    BASE_URL = None

    # A learning record store to send the xAPI statement log to (`flask xapi push`): its xAPI
    # endpoint (the statements resource is under it) and HTTP Basic credentials.
    LRS_ENDPOINT = None  # e.g. "https://lrs.firma.pl/xAPI"
    LRS_USERNAME = None
    LRS_PASSWORD = None
    LRS_BATCH_SIZE = 100  # statements per request
    LRS_RETRIES = 3  # further tries of a batch the LRS did not take (no answer, 429, 5xx)
    LRS_BACKOFF_SECONDS = 1.0  # pause before the first retry; doubled before each next one
    LRS_TIMEOUT_SECONDS = 30

    # Background work (issue 13): mail, the xAPI push and large exports go to an RQ queue in
    # this Redis, e.g. "redis://127.0.0.1:6379/0", served by `flask --app trainer worker`
    # (needs the `redis` extra). None: each job runs inline, in the request or command that
    # asked for it, so one process is enough (`make run`).
    REDIS_URL = None
    JOB_QUEUE = "trainer"  # the RQ queue's name; instances sharing one Redis share it
    JOB_TIMEOUT_SECONDS = 3600  # a job running longer is stopped and shown as failed
    # After statements are recorded, the worker pushes the log to LRS_ENDPOINT this many
    # seconds later, once for everything recorded meanwhile (0: at once). Needs REDIS_URL;
    # without it `flask --app trainer xapi push` (e.g. from cron) sends the log.
    XAPI_PUSH_DELAY_SECONDS = 10
    # HR exports of more rows than this are made by the worker into a file under
    # instance/exports/ and downloaded from a page that shows their progress; smaller ones
    # download at once. Finished files are removed after EXPORT_RETENTION_HOURS (by the worker
    # after each export, or `flask --app trainer hr purge-exports`).
    EXPORT_DIRECT_MAX_ROWS = 5000
    EXPORT_RETENTION_HOURS = 72

    # Rate limits per client address; several instances share them through Redis, e.g.
    # RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379" (needs the `redis` extra).
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True  # Retry-After on a 429, and the budget left
    # Behind a reverse proxy, how many proxies to trust for the client's address and scheme
    # (0: none). Without it every request seems to come from the proxy.
    TRUSTED_PROXIES = 0
    SIGN_IN_RATE_LIMIT = "10 per minute"  # sign-in, registration, invitations, resets
    PASSWORD_RESET_RATE_LIMIT = "3 per hour"  # reset e-mails to one address  # noqa: S105
    REGISTRATION_RATE_LIMIT = "3 per hour"  # registration e-mails to one address
    API_RATE_LIMIT = "120 per minute"

    # Strict-Transport-Security on HTTPS answers (0: none). Behind a proxy that ends TLS, set
    # TRUSTED_PROXIES so that Trainer sees the request was HTTPS.
    HSTS_SECONDS = 365 * 24 * 3600

    LOG_FORMAT = "text"  # or "json": one JSON object per line
    LOG_LEVEL = "INFO"

    WTF_CSRF_TIME_LIMIT = None  # a token lives as long as the session it belongs to
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
