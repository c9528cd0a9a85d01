#!/usr/bin/env python3
"""secp256k1 signatures per second through libsecp256k1 (the `coincurve` binding), for
scripts/bench.sh to compare Keyward's in-process signing with: a 32-byte digest signed
deterministically (RFC 6979), recoverable, like Keyward's EIP-191 / BSM / EOS signatures.

    python3 scripts/bench/coincurve_sign.py [SECONDS]

Prints one line: `<signatures per second> <coincurve version>`.
"""
import os
import sys
import time

import coincurve

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
key = coincurve.PrivateKey(os.urandom(32))
digest = bytes(range(32))
# warm-up
for _ in range(2000):
    key.sign_recoverable(digest, hasher=None)
n = 0
start = time.perf_counter()
deadline = start + seconds
while True:
    for _ in range(1000):
        key.sign_recoverable(digest, hasher=None)
    n += 1000
    now = time.perf_counter()
    if now >= deadline:
        break
print(f"{n / (now - start):.0f} {coincurve.__version__ if hasattr(coincurve, '__version__') else '?'}")
