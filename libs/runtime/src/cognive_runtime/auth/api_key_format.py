"""The API-key text format, pure: generate, parse, hash, compare.

    ck_<env>_<id>_<secret><checksum>

- ``env``: ``[a-z0-9]{1,10}`` (dev, prod, ...), so a key used against the wrong
  deployment is recognisable at a glance;
- ``id``: 12 random lower-case base32 characters, the primary key of the key everywhere
  (``key_id`` in ``registry.api_key.*`` events);
- ``secret``: 256 random bits in base62, always 43 characters;
- ``checksum``: CRC32 of everything before it, 6 base62 characters. As with GitHub's
  tokens, a secret scanner can tell a real leaked key from noise offline, and a typo is
  refused before any store is asked.

Only the SHA-256 of the whole key text is ever stored (hashing the whole text binds the
secret to its id and env). The hash of a 256-bit random secret needs no salt or slow KDF:
it cannot be brute-forced, and a fast hash keeps the hot path cheap.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final, get_args

from cognive_contracts.events.base import ApiKeyScope

Scope = ApiKeyScope
ALL_SCOPES: Final[frozenset[Scope]] = frozenset(get_args(ApiKeyScope))

KEY_PREFIX: Final = "ck_"
BASE62: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BASE32: Final = "abcdefghijklmnopqrstuvwxyz234567"
ID_LENGTH: Final = 12
SECRET_LENGTH: Final = 43  # ceil(256 / log2(62))
CHECKSUM_LENGTH: Final = 6  # ceil(32 / log2(62))

_ENV = re.compile(r"^[a-z0-9]{1,10}$")
_KEY = re.compile(
    r"^ck_(?P<env>[a-z0-9]{1,10})_(?P<id>[a-z2-7]{12})_"
    r"(?P<secret>[0-9A-Za-z]{43})(?P<checksum>[0-9A-Za-z]{6})$"
)


@dataclass(frozen=True, slots=True)
class GeneratedKey:
    key_id: str
    # Shown to the caller exactly once; kept out of repr so it never lands in a log.
    plaintext: str = field(repr=False)
    secret_sha256_hex: str
    prefix: str


@dataclass(frozen=True, slots=True)
class ParsedKey:
    env: str
    key_id: str
    plaintext: str = field(repr=False)

    @property
    def prefix(self) -> str:
        return f"{KEY_PREFIX}{self.env}_{self.key_id}"


def _base62(value: int, width: int) -> str:
    digits: list[str] = []
    while value:
        value, rem = divmod(value, 62)
        digits.append(BASE62[rem])
    if len(digits) > width:
        raise ValueError("value does not fit")
    return "".join(reversed(digits)).rjust(width, BASE62[0])


def checksum(body: str) -> str:
    """Six base62 characters of CRC32 over ``body`` (the key text before the checksum)."""
    return _base62(zlib.crc32(body.encode("ascii")), CHECKSUM_LENGTH)


def generate_api_key(env: str) -> GeneratedKey:
    if not _ENV.match(env):
        raise ValueError("env must match [a-z0-9]{1,10}")
    key_id = "".join(secrets.choice(BASE32) for _ in range(ID_LENGTH))
    secret = _base62(secrets.randbits(256), SECRET_LENGTH)
    body = f"{KEY_PREFIX}{env}_{key_id}_{secret}"
    plaintext = body + checksum(body)
    return GeneratedKey(
        key_id=key_id,
        plaintext=plaintext,
        secret_sha256_hex=hash_api_key(plaintext),
        prefix=f"{KEY_PREFIX}{env}_{key_id}",
    )


def parse_api_key(text: str) -> ParsedKey | None:
    """The key's parts, or None when the shape or the checksum is wrong (no I/O)."""
    match = _KEY.match(text)
    if match is None:
        return None
    body = text[:-CHECKSUM_LENGTH]
    # The checksum is not a secret: a plain comparison leaks nothing worth having.
    if checksum(body) != match["checksum"]:
        return None
    return ParsedKey(env=match["env"], key_id=match["id"], plaintext=text)


def hash_api_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def verify_api_key_hash(plaintext: str, expected_sha256_hex: str) -> bool:
    """Constant-time: response timing must not tell how much of a guess was right."""
    return hmac.compare_digest(hash_api_key(plaintext), expected_sha256_hex)


def scopes_grant(held: Iterable[str], required: Scope) -> bool:
    """``admin`` implies every scope."""
    held_set = set(held)
    return required in held_set or "admin" in held_set
