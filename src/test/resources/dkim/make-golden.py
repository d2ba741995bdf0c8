#!/usr/bin/python3
"""Regenerates the NN-name.expected DKIM-Signature headers for DkimSignerTest with dkimpy.

dkimpy is an independent implementation of RFC 6376, so these files pin our canonicalization,
header selection and signing against someone else's reading of the RFC.

Run from the repository root after adding or changing an .eml file:

    apt-get install -y python3-dkim      # Debian's dkimpy
    /usr/bin/python3 src/test/resources/dkim/make-golden.py

The constants below must match DkimSignerTest (key file, d=, s=, t=, header list).
"""
import glob
import os
import time

import dkim

HERE = os.path.dirname(os.path.abspath(__file__))
DOMAIN = b"example.com"
SELECTOR = b"postwire"
TIMESTAMP = 1700000000
# DkimSigner.DEFAULT_SIGNED_HEADERS; from and subject are oversigned.
SIGNED = ["from", "to", "cc", "subject", "date", "message-id", "reply-to", "mime-version",
          "content-type", "content-transfer-encoding", "list-unsubscribe",
          "list-unsubscribe-post", "in-reply-to", "references", "x-postwire-id"]
OVERSIGNED = {"from", "subject"}


def header_list(message):
    """Each signed name once per occurrence, plus once more if oversigned (RFC 6376 §8.15)."""
    headers, _ = dkim.rfc822_parse(message)
    names = [name.decode("ascii").lower() for name, _ in headers]
    result = []
    for name in SIGNED:
        result += [name] * (names.count(name) + (1 if name in OVERSIGNED else 0))
    return [n.encode("ascii") for n in result]


def main():
    with open(os.path.join(HERE, "test-pkcs1.pem"), "rb") as f:
        key = f.read()
    # dkimpy has no parameter for t=; pin its clock instead.
    dkim.time.time = lambda: TIMESTAMP
    for eml in sorted(glob.glob(os.path.join(HERE, "[0-9][0-9]-*.eml"))):
        with open(eml, "rb") as f:
            message = f.read()
        signature = dkim.sign(message, SELECTOR, DOMAIN, key,
                              canonicalize=(b"relaxed", b"relaxed"),
                              include_headers=header_list(message))
        with open(eml[:-len(".eml")] + ".expected", "wb") as f:
            f.write(signature)
        print("wrote", os.path.basename(eml[:-len(".eml")] + ".expected"))


if __name__ == "__main__":
    main()
