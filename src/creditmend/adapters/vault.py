"""Identity protection: a keyed hash to find a person, encryption to show them to the entitled.

One master key (32 random bytes, printed by `creditmend keygen`) is split with HKDF into a hashing
key and an encryption key, so neither use weakens the other. The store keeps a check value of the
key, so a wrong key is a clear error instead of silent garbage or a second set of persons.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from creditmend.domain.problems import Problem, ProblemsError


class VaultKeyError(ProblemsError):
    """A missing, malformed or wrong key: an input problem of the `key` field."""

    def __init__(self, message: str) -> None:
        super().__init__((Problem("key", message),))


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


class IdentityVault:
    def __init__(self, key_text: str) -> None:
        try:
            master = base64.urlsafe_b64decode(key_text.strip().encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            master = b""
        if len(master) != 32:
            raise VaultKeyError("not a creditmend key (run `creditmend keygen` for one)")
        self._hash_key = _derive(master, b"creditmend id hash v1")
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(master, b"creditmend fernet v1")))

    def id_hash(self, id_type: str, id_number: str) -> str:
        """The identity's keyed hash. Not remembered across calls: a process-wide memo would
        keep identity numbers in clear in a long-running server's memory (the API's workers
        hash every inquiry's subject), for about a microsecond saved a call."""
        # One person, one key, however the number is written (536-22-1234 or 536221234).
        canonical = "".join(id_number.split()).replace("-", "").upper()
        message = f"{id_type}:{canonical}".encode()
        return hmac.digest(self._hash_key, message, "sha256").hex()

    def check_value(self) -> str:
        """A fingerprint of the key, stored beside the data to recognise the right key."""
        return hmac.new(self._hash_key, b"creditmend key check", hashlib.sha256).hexdigest()

    def encrypt(self, text: str) -> bytes:
        return self._fernet.encrypt(text.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except InvalidToken:
            raise VaultKeyError("this key cannot read the stored identities") from None
