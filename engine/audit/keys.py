"""Ed25519 keys for the decision log: the operator's private key signs entries and checkpoints,
and the public key checks them, so that forging an entry or a checkpoint needs the private key.

The keys are PEM files made by `generate` (`paragraf audit keygen`). A process that appends to
a log signs each entry when the environment variable PARAGRAF_LOG_KEY names the private key
file, so the key never appears on a command line. Signing is done by the well-kept
`cryptography` package; nothing here is hand-written cryptography.
"""
from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import Callable

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from engine.lang.errors import EngineError

KEY_ENV = "PARAGRAF_LOG_KEY"
MAX_KEY_BYTES = 10_000


class KeyFileError(EngineError):
    """A key file that cannot be read or is not an Ed25519 key."""

    category = "log"


def generate(private_path: Path) -> Path:
    """Write a new private key (readable by its owner only) and its public key beside it as
    `<name>.pub`; return the public key's path. An existing file is never overwritten."""
    public_path = private_path.with_name(private_path.name + ".pub")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    try:
        descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(private_pem)
        with open(public_path, "xb") as handle:
            handle.write(public_pem)
    except OSError as exc:
        raise KeyFileError(f"{exc.filename}: cannot write the key ({exc.strerror}); choose a new file name") from None
    return public_path


def load_private(path: Path) -> Ed25519PrivateKey:
    key = _parse(path, lambda pem: serialization.load_pem_private_key(pem, password=None))
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: not an Ed25519 private key; make one with 'paragraf audit keygen'")
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    key = _parse(path, serialization.load_pem_public_key)
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path}: not an Ed25519 public key; give the .pub file 'paragraf audit keygen' wrote")
    return key


def from_environment() -> Ed25519PrivateKey | None:
    """The signing key named by PARAGRAF_LOG_KEY, or None when it is not set."""
    name = os.environ.get(KEY_ENV)
    return load_private(Path(name)) if name else None


def key_id(key: Ed25519PublicKey) -> str:
    """A short, stable name for a public key: sha256 over its raw bytes, first 16 hex digits."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, message: str) -> str:
    return base64.b64encode(key.sign(message.encode("utf-8"))).decode("ascii")


def signed_by(key: Ed25519PublicKey, message: str, signature: str) -> bool:
    try:
        key.verify(base64.b64decode(signature, validate=True), message.encode("utf-8"))
    except (InvalidSignature, ValueError):
        return False
    return True


def _read(path: Path) -> bytes:
    try:
        if not path.is_file():
            raise KeyFileError(f"{path}: no such key file")
        with open(path, "rb") as handle:
            return handle.read(MAX_KEY_BYTES)
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot read the key ({exc.strerror})") from None


def _parse(path: Path, load: Callable[[bytes], object]) -> object:
    """The key in a PEM file, or None when the file holds no key `load` understands."""
    try:
        return load(_read(path))
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None
