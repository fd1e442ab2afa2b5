"""Anchoring the decision log outside itself, after Certificate Transparency's signed tree heads.

The hash chain proves that the entries fit together, but whoever holds the file can rebuild a
whole chain (the hash is public and unkeyed). Two things kept elsewhere rule that out:

* a **checkpoint** (`paragraf audit checkpoint`): the number of entries and the head's hash at
  a moment, optionally signed. The operator keeps it away from the log. A later log must still
  hold that entry with that hash: cutting entries off, deleting all, or rewriting or replacing
  any entry up to the checkpoint is then caught (`verify_anchored` with `checkpoints`);
* **signed entries**: with an Ed25519 private key the writer signs each entry's position and
  hash; checking with the public key (`signed_entries`) catches a forged or replaced entry
  anywhere, including ones appended after the last checkpoint.

A checkpoint is JSON (`paragraf/log-checkpoint@1`): `entries`, `head`, `made_at` and, when
signed, `key_id` and `signature` over the other fields as canonical JSON.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Iterable

import attrs
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from engine.audit import keys
from engine.audit.log import GENESIS, DecisionLog, LogError, Problem, Verification, canonical, entry_message, verify

CHECKPOINT_SCHEMA = "paragraf/log-checkpoint@1"
MAX_CHECKPOINT_BYTES = 10_000
_HASH = re.compile(r"[0-9a-f]{64}")


@attrs.frozen
class Checkpoint:
    """A head to compare a log with: `entries` is None for a bare hash given on the command line."""

    source: str
    head: str
    entries: int | None = None
    data: dict[str, Any] = attrs.field(factory=dict, eq=False)


def make_checkpoint(path: Path, key: Ed25519PrivateKey | None = None) -> dict[str, Any]:
    """The log's current head as a checkpoint, signed with `key` when given. The log is verified
    first: a checkpoint of a broken chain would anchor the damage."""
    checked = verify(path)
    if not checked.ok:
        raise LogError(f"{path}: the chain is broken at entry {checked.problems[0].seq}; no checkpoint made")
    made_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    point: dict[str, Any] = {"schema": CHECKPOINT_SCHEMA, "entries": checked.head_seq, "head": checked.head_hash,
                             "made_at": made_at}
    if key is not None:
        point["key_id"] = keys.key_id(key.public_key())
        point["signature"] = keys.sign(key, canonical(point))
    return point


def read_checkpoint(given: str) -> Checkpoint:
    """A 64-digit head hash, or the path of a checkpoint file."""
    if _HASH.fullmatch(given):
        return Checkpoint(given, given)
    path = Path(given)
    if not path.is_file():
        raise LogError(f"{given!r}: neither a 64-digit head hash nor a checkpoint file")
    with open(path, "rb") as handle:
        text = handle.read(MAX_CHECKPOINT_BYTES + 1)
    try:
        data = json.loads(text) if len(text) <= MAX_CHECKPOINT_BYTES else None
    except (ValueError, RecursionError):
        data = None
    if not (isinstance(data, dict) and data.get("schema") == CHECKPOINT_SCHEMA and isinstance(data.get("entries"), int)
            and data["entries"] >= 0 and isinstance(data.get("head"), str)):
        raise LogError(f"{given!r}: not a checkpoint; make one with 'paragraf audit checkpoint'")
    return Checkpoint(given, data["head"], data["entries"], data)


def verify_anchored(path: Path, checkpoints: Iterable[Checkpoint] = (), public_key: Ed25519PublicKey | None = None,
                    signed_entries: bool = False) -> Verification:
    """`log.verify`, and the log compared with each checkpoint; with `public_key`, every checkpoint
    file must be signed by it, and with `signed_entries` every entry too."""
    checked = verify(path)
    problems = list(checked.problems)
    with DecisionLog(path, create=False) as log:
        hashes = _HashLookup(log)
        for point in checkpoints:
            problems += _checkpoint_problems(point, hashes, public_key)
        if signed_entries and public_key is not None:
            problems += _signature_problems(log, public_key)
    return attrs.evolve(checked, problems=tuple(sorted(problems, key=lambda p: p.seq)))


class _HashLookup:
    def __init__(self, log: DecisionLog) -> None:
        self.db = log.db

    def at(self, seq: int) -> str | None:
        row = self.db.execute("SELECT entry_hash FROM entries WHERE seq = ?", (seq,)).fetchone()
        return None if row is None else str(row[0])

    def position(self, entry_hash: str) -> int | None:
        row = self.db.execute("SELECT seq FROM entries WHERE entry_hash = ?", (entry_hash,)).fetchone()
        return None if row is None else int(row[0])


def _checkpoint_problems(point: Checkpoint, hashes: _HashLookup, public_key: Ed25519PublicKey | None) -> list[Problem]:
    if public_key is not None and not _signed(point, public_key):
        return [Problem(point.entries or 0, "forged_checkpoint",
                        f"checkpoint {point.source} is not signed by the key given: it cannot be trusted")]
    if point.entries is None:  # a bare hash: some entry of the chain must have it (or it is the empty log's)
        if point.head != GENESIS and hashes.position(point.head) is None:
            return [Problem(0, "rewritten", f"no entry has the head hash {point.head} given: the log was cut back "
                            "or rewritten since")]
        return []
    if point.entries == 0:
        return []
    found = hashes.at(point.entries)
    if found is None:
        return [Problem(point.entries, "truncated", f"entry {point.entries} is gone, yet checkpoint {point.source} "
                        f"says the log held {point.entries} entries: entries were deleted")]
    if found != point.head:
        return [Problem(point.entries, "rewritten", f"entry {point.entries} no longer has the hash checkpoint "
                        f"{point.source} recorded: entries up to it were rewritten or replaced")]
    return []


def _signed(point: Checkpoint, public_key: Ed25519PublicKey) -> bool:
    signature = point.data.get("signature")
    unsigned = {k: v for k, v in point.data.items() if k != "signature"}
    return isinstance(signature, str) and keys.signed_by(public_key, canonical(unsigned), signature)


def _signature_problems(log: DecisionLog, public_key: Ed25519PublicKey) -> list[Problem]:
    problems = []
    has_table = log.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'signatures'").fetchone()
    signatures = "signatures" if has_table else "(SELECT NULL AS seq, NULL AS signature)"  # a log from before signing
    rows = log.db.execute(f"SELECT e.seq, e.entry_hash, s.signature FROM entries e "
                          f"LEFT JOIN {signatures} s ON s.seq = e.seq ORDER BY e.seq")
    for seq, entry_hash, signature in rows:
        if signature is None:
            problems.append(Problem(seq, "unsigned", f"entry {seq} carries no signature"))
        elif not keys.signed_by(public_key, entry_message(seq, entry_hash), signature):
            problems.append(Problem(seq, "forged", f"entry {seq}'s signature is not the key's: it was forged or replaced"))
    return problems
