#!/usr/bin/env python3
"""The byte stream tcp-push sends (userspace/programs/tcp-push/main.ts), for the tests that check
what arrived: xorshift64 from SEED (x ^= x << 13; x ^= x >> 7; x ^= x << 17, modulo 2^64), each
new x as 8 little-endian bytes, cut to N bytes. Usage: stream.py N SEED prints the stream's
length and SHA-256 as tcp-push does ("sent N sha256 HEX"); import it for stream(n, seed)."""

import hashlib
import struct
import sys

MASK = (1 << 64) - 1


def chunks(n: int, seed: int, size: int = 65536):
    """The first n bytes of the stream, in pieces of at most size bytes (size a multiple of 8)."""
    if seed == 0:
        raise ValueError("xorshift64 stays at 0 from a seed of 0")
    x = seed & MASK
    produced = 0
    while produced < n:
        length = min(size, n - produced)
        words = []
        for _ in range((length + 7) // 8):
            x ^= (x << 13) & MASK
            x ^= x >> 7
            x ^= (x << 17) & MASK
            words.append(x)
        yield struct.pack("<%dQ" % len(words), *words)[:length]
        produced += length


def stream(n: int, seed: int) -> bytes:
    """The whole stream of n bytes."""
    return b"".join(chunks(n, seed))


def digest(n: int, seed: int) -> str:
    """SHA-256 of the stream, as lowercase hex, without holding it whole."""
    hash = hashlib.sha256()
    for piece in chunks(n, seed):
        hash.update(piece)
    return hash.hexdigest()


if __name__ == "__main__":
    count, start = int(sys.argv[1]), int(sys.argv[2])
    print("sent %d sha256 %s" % (count, digest(count, start)))
