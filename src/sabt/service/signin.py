"""`ws.signin`: passwords, the TOTP second factor, lock-out and web sessions.

Passwords are stored as Argon2id hashes (argon2-cffi, RFC 9106's second recommended setting);
recovery codes, 64 random bits each, as SHA-256 (a slow hash adds nothing to a random secret).
A TOTP code is accepted once (its time step is remembered). After `MAX_FAILURES` failed sign-ins
in a row a user is locked out for `LOCKOUT`, even with the right password; every failure and
every lock-out is written to the audit. A session is a random token in the browser's cookie and
its SHA-256 in the database, with its own CSRF token and an expiry.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select, update

from sabt.errors import InvalidValue, NotFound, Unauthenticated
from sabt.policy import Action, Actor, Role
from sabt.service.guard import Guard
from sabt.store import access
from sabt.store.credentials import credential, secret_digest, setting, web_session
from sabt.store.schema import as_utc
from sabt.store.workspace import Store

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=8)
MIN_PASSWORD = 12
RECOVERY_CODES = 10
_TOTP_STEP = 30
ARGON2 = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}
REFUSED = "wrong user name, password or code"   # the one answer to every failed sign-in
REQUIRE_SECOND_FACTOR = "require_second_factor"
#: who must have a second factor to sign in: nobody, admins only, or every user
SECOND_FACTOR_RULES = ("off", "admins", "everyone")


@dataclass(frozen=True)
class WebSession:
    """A signed-in user's session: who, its CSRF token, when it ends."""

    actor: Actor
    csrf: str
    expires_at: datetime


@dataclass(frozen=True)
class SecondFactor:
    """What a user needs to set up TOTP: the otpauth URI (for an authenticator app) and the
    one-time recovery codes, shown once and stored only hashed."""

    uri: str
    recovery_codes: tuple[str, ...]


def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=ARGON2["time_cost"], memory_cost=ARGON2["memory_cost"],
                          parallelism=ARGON2["parallelism"])


def _verify(hashed: str, secret: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        return _hasher().verify(hashed, secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


class SignIn:
    def __init__(self, store: Store, guard: Guard) -> None:
        self.store = store
        self.guard = guard

    # --- credentials ---------------------------------------------------------------------------

    def _target(self, actor: Actor, name: str) -> None:
        """Users set their own credentials; admins anyone's."""
        if actor.id != name:
            self.guard.require(actor, Action.ADMIN)
        with self.store.connect() as conn:
            if access.user_row(conn, name) is None:
                raise NotFound(f"no user {name!r}")

    def set_password(self, actor: Actor, name: str, password: str) -> None:
        """Set (or replace) a user's password; unlocks the user and ends their sessions."""
        self._target(actor, name)
        if len(password) < MIN_PASSWORD:
            raise InvalidValue(f"a password has at least {MIN_PASSWORD} characters",
                               field="password")
        hashed = _hasher().hash(password)
        now = datetime.now(UTC)
        with self.store.working() as conn:
            done = conn.execute(update(credential).where(credential.c.name == name).values(
                password_hash=hashed, failed=0, locked_until=None, updated_at=now)).rowcount
            if not done:
                conn.execute(insert(credential).values(
                    name=name, password_hash=hashed, totp_secret=None, recovery_hashes="",
                    totp_last_step=None, failed=0, locked_until=None, updated_at=now))
            conn.execute(delete(web_session).where(web_session.c.name == name))
        self.guard.record(actor, "passwd", name, "done", "password set")

    def enable_totp(self, actor: Actor, name: str, issuer: str = "Sabt") -> SecondFactor:
        """Give a user (who has a password) a new TOTP secret and new recovery codes."""
        import pyotp

        self._target(actor, name)
        secret = pyotp.random_base32()
        codes = tuple(f"{secrets.token_hex(4)}-{secrets.token_hex(4)}"
                      for _ in range(RECOVERY_CODES))
        with self.store.working() as conn:
            done = conn.execute(update(credential).where(credential.c.name == name).values(
                totp_secret=secret, totp_last_step=None,
                recovery_hashes="\n".join(secret_digest(c) for c in codes),
                updated_at=datetime.now(UTC))).rowcount
        if not done:
            raise InvalidValue(f"{name} has no password yet: `sabt user passwd {name}` first",
                               field="user")
        self.guard.record(actor, "totp", name, "done", "second factor set")
        uri = pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=issuer)
        return SecondFactor(uri, codes)

    def second_factor_rule(self) -> str:
        """Who must have a second factor to sign in (`SECOND_FACTOR_RULES`; default off)."""
        with self.store.connect() as conn:
            value = conn.execute(select(setting.c.value).where(
                setting.c.key == REQUIRE_SECOND_FACTOR)).scalar()
        return str(value) if value in SECOND_FACTOR_RULES else "off"

    def require_second_factor(self, actor: Actor, rule: str) -> None:
        """Make a second factor mandatory for admins or for everyone, or optional (admins)."""
        self.guard.require(actor, Action.ADMIN)
        if rule not in SECOND_FACTOR_RULES:
            raise InvalidValue(f"the rule is one of {', '.join(SECOND_FACTOR_RULES)}",
                               field="rule")
        now = datetime.now(UTC)
        with self.store.working() as conn:
            conn.execute(delete(setting).where(setting.c.key == REQUIRE_SECOND_FACTOR))
            conn.execute(insert(setting).values(key=REQUIRE_SECOND_FACTOR, value=rule,
                                                updated_by=actor.id, updated_at=now))
        self.guard.record(actor, "settings", REQUIRE_SECOND_FACTOR, "done", rule)

    def _needs_second_factor(self, user: Actor) -> bool:
        rule = self.second_factor_rule()
        return rule == "everyone" or (rule == "admins" and Role.ADMIN in user.roles)

    # --- signing in ----------------------------------------------------------------------------

    def authenticate(self, name: str, password: str, code: str = "") -> Actor:
        """The actor for a user name, password and (when set) TOTP or recovery code; any failure
        raises `Unauthenticated` with one answer for every cause, and is audited."""
        now = datetime.now(UTC)
        with self.store.connect() as conn:
            row = conn.execute(select(credential).where(credential.c.name == name[:64])).first()
            user = access.user_row(conn, name[:64])
        if row is None or user is None or not user.active:
            _verify(_DUMMY_HASH, password)   # the same work as a real check: no user oracle
            why = ("no such user" if user is None else "disabled user" if not user.active
                   else "no password set")
            self.guard.record(name, "login", None, "failed", why)
            raise Unauthenticated(REFUSED)
        if row.locked_until is not None and as_utc(row.locked_until) > now:
            _verify(_DUMMY_HASH, password)
            self.guard.record(name, "login", None, "failed", "locked out")
            raise Unauthenticated(REFUSED)
        ok = _verify(row.password_hash, password)
        step: int | None = None
        used_recovery: str | None = None
        if ok and row.totp_secret:
            step = _totp_step(row.totp_secret, code.strip(), row.totp_last_step, now)
            if step is None:
                used_recovery = _recovery_match(row.recovery_hashes, code.strip())
                ok = used_recovery is not None
        if not ok:
            with self.store.working() as conn:   # counted in the database: no lost count
                mine = credential.c.name == name
                conn.execute(update(credential).where(mine).values(
                    failed=credential.c.failed + 1))
                failed = conn.execute(select(credential.c.failed).where(mine)).scalar_one()
                locked = now + LOCKOUT if failed >= MAX_FAILURES else None
                if locked:
                    conn.execute(update(credential).where(mine).values(
                        failed=0, locked_until=locked))
            self.guard.record(name, "login", None, "failed",
                              f"wrong password or code ({failed} in a row)"
                              + (f"; locked out until {locked:%H:%M} UTC" if locked else ""))
            raise Unauthenticated(REFUSED)
        actor = access.actor_from_row(user)
        if not row.totp_secret and self._needs_second_factor(actor):
            self.guard.record(name, "login", None, "failed", "second factor required, none set")
            raise Unauthenticated("this workspace requires a second factor to sign in: set one "
                                  f"up with `sabt user totp {name}` (or ask an admin)")
        values: dict[str, object] = {"failed": 0, "locked_until": None}
        if step is not None:
            values["totp_last_step"] = step
        if used_recovery is not None:
            values["recovery_hashes"] = "\n".join(
                h for h in row.recovery_hashes.split("\n") if h and h != used_recovery)
        with self.store.working() as conn:
            conn.execute(update(credential).where(credential.c.name == name).values(**values))
        self.guard.record(name, "login", None, "done",
                          "recovery code used" if used_recovery else "")
        return actor

    def reauthenticate(self, actor: Actor, password: str, code: str = "") -> None:
        """Confirm a signed-in actor's password (and code, when set) again before a sensitive
        action, such as administering users; a failure counts towards lock-out like any
        sign-in and raises `Unauthenticated`."""
        if self.authenticate(actor.id, password, code).id != actor.id:
            raise Unauthenticated(REFUSED)

    # --- sessions ------------------------------------------------------------------------------

    def start_session(self, actor: Actor) -> str:
        """A new session for a signed-in actor; returns the token for the cookie."""
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self.store.working() as conn:
            conn.execute(delete(web_session).where(web_session.c.expires_at < now))
            conn.execute(insert(web_session).values(
                token_sha256=secret_digest(token), name=actor.id, csrf=secrets.token_urlsafe(32),
                created_at=now, expires_at=now + SESSION_LIFETIME))
        return token

    def session(self, token: str) -> WebSession | None:
        """The session of a cookie's token: none when unknown, expired or its user disabled."""
        if not token:
            return None
        with self.store.connect() as conn:
            row = conn.execute(select(web_session).where(
                web_session.c.token_sha256 == secret_digest(token))).first()
            if row is None or as_utc(row.expires_at) <= datetime.now(UTC):
                return None
            user = access.user_row(conn, row.name)
        if user is None or not user.active:
            return None
        return WebSession(access.actor_from_row(user), row.csrf, as_utc(row.expires_at))

    def end_session(self, token: str) -> None:
        with self.store.working() as conn:
            conn.execute(delete(web_session).where(
                web_session.c.token_sha256 == secret_digest(token)))


def _totp_step(secret: str, code: str, last: int | None, now: datetime) -> int | None:
    """The time step whose code this is (the current one, or one either side for clock drift),
    unless that step was used already."""
    import pyotp

    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // _TOTP_STEP
    for step in (current - 1, current, current + 1):
        if (last is None or step > last) and hmac.compare_digest(
                totp.at(step * _TOTP_STEP), code):
            return step
    return None


def _recovery_match(hashes: str, code: str) -> str | None:
    """The stored hash this recovery code matches, if any."""
    if not code or len(code) > 64:
        return None
    digest = secret_digest(code)
    for hashed in hashes.split("\n"):
        if hashed and hmac.compare_digest(hashed, digest):
            return hashed
    return None


_DUMMY_HASH = ("$argon2id$v=19$m=65536,t=3,p=4$c2FidC1kdW1teS1zYWx0$"
               "twQeJsmqw/UErAqa+KRid+fMmIIVHMm6kKHIIZmxJGc")   # hash of "x": a real verify
