"""Password hashing (argon2id), the password policy and API token secrets (only their SHA-256 is
stored)."""

from __future__ import annotations

import hashlib
import secrets
from functools import cache
from itertools import pairwise
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's minimum for argon2id: 19 MiB memory, 2 iterations, 1 lane.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
TOKEN_PREFIX = "ptk_"


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


def new_token_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# -- password policy (NIST SP 800-63B, 5.1.1.2): length, no common, repetitive or sequential
# passwords, no context words; no composition rules (no "one digit, one capital").
MIN_PASSWORD_LENGTH = 10
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")
TOO_COMMON = "is one of the most common passwords: choose a phrase of several unrelated words"
TOO_SIMPLE = "repeats characters or runs through a sequence: choose a phrase of several unrelated words"
PERSONAL = "contains your e-mail address or name: choose something others cannot guess"
_KEYBOARD_ROWS = (
    "1234567890",
    "qwertyuiopü",
    "qwertzuiopü",
    "asdfghjklöä",
    "zxcvbnm",
    "yxcvbnm",
    "abcdefghijklmnopqrstuvwxyz",
)
_EDGE = "0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~§€"


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why ``password`` may not be used (a message saying what to do instead), or None.

    Refused: shorter than `MIN_PASSWORD_LENGTH`; listed in ``common_passwords.txt`` (also with
    digits and marks around it: ``Passwort2026!``); three or fewer different characters, a short
    unit repeated (``abcabcabca``), a run along the alphabet, the digits or a keyboard row
    (``0123456789``, ``qwertzuiop``); containing the e-mail's local part or a word of the
    user's name (four letters or more)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must have at least {MIN_PASSWORD_LENGTH} characters"
    lowered = password.lower()
    common = common_passwords()
    if lowered in common or lowered.strip(_EDGE) in common:
        return TOO_COMMON
    if _simple(lowered):
        return TOO_SIMPLE
    words = [email.lower().split("@", 1)[0], *name.lower().split()]
    if any(len(word) >= 4 and word in lowered for word in words):
        return PERSONAL
    return None


def _simple(text: str) -> bool:
    if len(set(text)) <= 3:
        return True
    for size in range(1, len(text) // 2 + 1):  # a unit repeated: "abab...", "123123..."
        if (text[:size] * (len(text) // size + 1))[: len(text)] == text:
            return True
    steps = {ord(b) - ord(a) for a, b in pairwise(text)}
    if len(steps) == 1 and abs(next(iter(steps))) <= 1:
        return True
    return any(text in row or text in row[::-1] for row in _KEYBOARD_ROWS)
