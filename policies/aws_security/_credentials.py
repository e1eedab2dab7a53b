"""Telling a credential from configuration: by the name it is given and by the shape of the value.

Shared by the policies that look for plaintext secrets in environment variables (ECS, Lambda) and in
EC2 user data. Built for few false positives: a name counts only when it ends in a credential word
(``DB_PASSWORD``, ``githubToken``, ``SECRET_KEY_BASE``; not ``BYPASS_CACHE``), so that a name saying
the value points at the secret instead of holding it (``DB_SECRET_ARN``, ``TOKEN_URL``,
``PASSWORD_FILE``) does not; a value counts only when it is a literal (not ``arn:…``, ``${…}``, ``$(…)``,
``{{resolve:…}}``, nor ``true``/a number). Findings name the variable or the kind of credential,
never the value.
"""

from __future__ import annotations

import re

# Words that make a name a credential's (not PWD, the shell's working directory, nor CREDENTIALS, as in
# GOOGLE_APPLICATION_CREDENTIALS=/path/key.json), and pairs of words that do together (API_KEY, apiKey).
_CREDENTIAL_WORDS = frozenset(
    {
        "PASSWORD",
        "PASSWD",
        "PASS",
        "PASSPHRASE",
        "SECRET",
        "TOKEN",
        "APIKEY",
        "PRIVATEKEY",
        "SECRETKEY",
        "ACCESSKEY",
    }
)
_CREDENTIAL_PAIRS = frozenset(
    {
        ("API", "KEY"),
        ("ACCESS", "KEY"),
        ("PRIVATE", "KEY"),
        ("SECRET", "KEY"),
        ("SIGNING", "KEY"),
        ("AUTH", "KEY"),
    }
)
# Words that may follow the credential word and still name the credential itself (SECRET_KEY_BASE,
# PRIVATE_KEY_PEM, DB_PASSWORD_2); any other last word (ARN, NAME, URL, FILE, TTL, …) says the value
# names, locates or describes the secret rather than being it.
_CREDENTIAL_SUFFIXES = frozenset(
    {"VALUE", "BASE", "STRING", "HASH", "SALT", "PEM", "JSON", "B64", "BASE64", "RAW", "PLAIN", "PLAINTEXT"}
)
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")

# Values that are not the secret itself: references resolved elsewhere, flags and numbers.
_REFERENCE_VALUE = re.compile(
    r"^(?:arn:aws[a-z-]*:|\$\{|\$\(|\{\{resolve:|\$[A-Za-z_]|ssm:|secretsmanager:|/aws/reference/)"
)
_TRIVIAL_VALUE = re.compile(r"^(?:true|false|yes|no|on|off|none|null|nil|enabled|disabled|[0-9]+)$", re.I)

# Shapes that are a credential whatever the variable is called.
_CREDENTIAL_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key id", re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Z0-9])")),
    ("a private key", re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----")),
    ("a GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Stripe secret key", re.compile(r"\b[sr]k_live_[0-9A-Za-z]{20,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    # scheme://user:password@host, unless the password is a placeholder filled in at run time.
    ("a URL with a password", re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:(?![$%{<])[^/\s@'\"]+@[^\s/]")),
)


def words(name: str) -> list[str]:
    """The upper-case words of a variable name in any convention (DB_PASSWORD, dbPassword, db-password)."""
    return [w.upper() for w in _WORDS.findall(name)]


def is_credential_name(name: str) -> bool:
    """Whether a variable called ``name`` holds a credential (and not a reference to one).

    The credential word (or pair) must end the name, but for a suffix that still names the value.
    """
    parts = words(name)
    while parts and (parts[-1] in _CREDENTIAL_SUFFIXES or parts[-1].isdigit()):
        parts.pop()
    if not parts:
        return False
    return parts[-1] in _CREDENTIAL_WORDS or tuple(parts[-2:]) in _CREDENTIAL_PAIRS


def is_literal_value(value: object) -> bool:
    """Whether ``value`` is a literal that could be a secret (not empty, a reference, a flag or a number)."""
    if not isinstance(value, str):
        return False
    text = value.strip().strip("'\"")
    return bool(text) and not _REFERENCE_VALUE.match(text) and not _TRIVIAL_VALUE.match(text)


def credential_shape(value: object) -> str | None:
    """What kind of credential ``value`` contains by its shape ("an AWS access key id", …), or None."""
    if not isinstance(value, str):
        return None
    for kind, pattern in _CREDENTIAL_SHAPES:
        if pattern.search(value):
            return kind
    return None


def variable_problem(name: object, value: object) -> str | None:
    """Why the variable ``name=value`` holds a plaintext credential, or None. Never contains the value."""
    shape = credential_shape(value)
    if shape:
        return f"its value looks like {shape}"
    if isinstance(name, str) and is_credential_name(name) and is_literal_value(value):
        return "its name says it holds a credential and its value is a literal"
    return None


# NAME=value, export NAME="value", NAME: value (YAML, cloud-init write_files), set per line.
_ASSIGNMENT = re.compile(
    r"^\s*(?:export\s+|set\s+|setx\s+|\$env:)?(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)\s*(?:=|:\s)\s*(?P<value>.+?)\s*$"
)


def script_findings(text: str) -> list[str]:
    """Where a script (EC2 user data, cloud-init) holds a credential: ``line N (NAME)`` / kind, no values."""
    found: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        shape = credential_shape(line)
        if shape:
            found.append(f"line {number} contains {shape}")
            continue
        match = _ASSIGNMENT.match(line)
        if not match or line.lstrip().startswith("#"):
            continue
        value = match["value"]
        if is_credential_name(match["name"]) and is_literal_value(value) and " " not in value.strip("'\""):
            found.append(f"line {number} sets {match['name']} to a literal")
    return found
