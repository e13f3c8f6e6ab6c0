"""What a password and a user name must be (NIST SP 800-63B, 5.1.1): at least 10 characters, at most
`MAX_PASSWORD` (so that no one makes the server hash megabytes), and not a commonly used password, nor
one built from the user name or the product's name. No rules on character classes: length and the
blocklist do the work.

The blocklist is the 10,000 most common passwords of zxcvbn's frequency list (shipped in the package,
`common_passwords.txt`). A password is refused when it is on the list, or is a listed password with
digits or punctuation around it ("dragon2024!"), compared case-insensitively.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
MAX_USERNAME = 120
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]*")
_PADDING = re.compile(r"^[\d\W_]+|[\d\W_]+$")
_PRODUCT_WORDS = ("baliza",)


@cache
def common_passwords() -> frozenset[str]:
    text = (Path(__file__).parent / "common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.casefold() for line in text.splitlines() if line and not line.startswith("#"))


def password_problem(password: str, username: str = "") -> str | None:
    """Why `password` may not be used, or None when it may."""
    if len(password) < MIN_PASSWORD:
        return f"a password needs at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"a password has at most {MAX_PASSWORD} characters"
    folded = password.casefold()
    core = _PADDING.sub("", folded)
    listed = common_passwords()
    if folded in listed or (len(core) >= 4 and core in listed):
        return "this password is on the list of commonly used passwords: choose another"
    words = [w for w in (username.casefold(), *_PRODUCT_WORDS) if len(w) >= 4]
    if any(w in folded for w in words) and len(core) - max(len(w) for w in words if w in folded) < 6:
        return "a password may not be built from the user name or the product's name"
    return None


def username_problem(username: str) -> str | None:
    """Why `username` may not be an account's name, or None when it may."""
    if not username or len(username) > MAX_USERNAME:
        return f"a user name has 1 to {MAX_USERNAME} characters"
    if not _USERNAME.fullmatch(username):
        return "a user name has letters, digits and . _ @ - only, and starts with a letter or digit"
    return None
