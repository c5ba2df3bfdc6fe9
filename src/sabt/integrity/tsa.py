"""RFC 3161 time-stamps: build a TimeStampReq for a SHA-256 digest, POST it to a time-stamping
authority, keep its TimeStampResp (a ``.tsr`` file, checkable with ``openssl ts -verify``).

The request is encoded here (a few bytes of DER); the response is kept as received after
checking that its status is *granted* and that it carries the digest asked for.
"""

from __future__ import annotations

import hashlib
import secrets
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

#: DER of the AlgorithmIdentifier for SHA-256 (OID 2.16.840.1.101.3.4.2.1, NULL parameters).
_SHA256_ALGORITHM = bytes.fromhex("300d06096086480165030402010500")
TIMEOUT_S = 20.0
MAX_RESPONSE = 1 << 20


@dataclass(frozen=True)
class TimestampResult:
    """What one authority answered: its token (the whole TimeStampResp) or why there is none."""

    url: str
    token: bytes | None
    error: str | None


def _der(tag: int, body: bytes) -> bytes:
    n = len(body)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + body


def _der_int(value: int) -> bytes:
    raw = value.to_bytes(value.bit_length() // 8 + 1, "big")
    return _der(0x02, raw)


def request(digest: bytes, nonce: int) -> bytes:
    """TimeStampReq {version 1, messageImprint {sha256, digest}, nonce, certReq TRUE}."""
    imprint = _der(0x30, _SHA256_ALGORITHM + _der(0x04, digest))
    return _der(0x30, _der_int(1) + imprint + _der_int(nonce) + _der(0x01, b"\xff"))


def _read(data: bytes, at: int) -> tuple[int, int, int]:
    """(tag, start of body, end of body) of the DER element at `at`."""
    if at + 2 > len(data):
        raise ValueError("truncated")
    tag, first = data[at], data[at + 1]
    at += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or at + count > len(data):
            raise ValueError("bad length")
        length = int.from_bytes(data[at:at + count], "big")
        at += count
    if at + length > len(data):
        raise ValueError("truncated")
    return tag, at, at + length


def response_problem(response: bytes, digest: bytes) -> str | None:
    """Why a TimeStampResp is not a granted token for `digest` (None when it is)."""
    try:
        tag, body, _end = _read(response, 0)
        status_tag, status_body, status_end = _read(response, body)
        int_tag, int_body, int_end = _read(response, status_body)
    except ValueError as exc:
        return f"not a time-stamp response ({exc})"
    if tag != 0x30 or status_tag != 0x30 or int_tag != 0x02:
        return "not a time-stamp response"
    status = int.from_bytes(response[int_body:int_end], "big")
    if status not in (0, 1):
        return f"the authority refused (PKIStatus {status})"
    if status_end >= len(response):
        return "the response holds no token"
    if digest not in response:
        return "the token does not cover the checkpoint's digest"
    return None


def timestamp(data: bytes, urls: Sequence[str], timeout: float = TIMEOUT_S,
              ) -> list[TimestampResult]:
    """Ask each authority for a token over SHA-256(`data`); an unreachable or refusing one
    gives an error (one line), never an exception."""
    digest = hashlib.sha256(data).digest()
    results = []
    for url in urls:
        if not url.startswith(("http://", "https://")):
            results.append(TimestampResult(url, None, "not an http(s) URL"))
            continue
        body = request(digest, secrets.randbits(63))
        req = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/timestamp-query",
            "Accept": "application/timestamp-reply"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as answer:
                token = answer.read(MAX_RESPONSE + 1)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            results.append(TimestampResult(url, None, f"unreachable: {reason}"))
            continue
        if len(token) > MAX_RESPONSE:
            results.append(TimestampResult(url, None, "answer larger than 1 MiB"))
            continue
        problem = response_problem(token, digest)
        results.append(TimestampResult(url, None if problem else token, problem))
    return results
