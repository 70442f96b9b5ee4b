#!/usr/bin/env python3
"""Sends one ClientHello shaped as Encrypted Client Hello's outer hello:
Python's own ClientHello for the public NAME (the outer SNI) with an
encrypted_client_hello extension (0xfe0d) of the outer kind added (cipher
suite, config id, encapsulated key, payload; random bytes, as they look on
the wire), then waits for the server to answer or close. For
tests/pcap/record.sh:   ech_hello.py ADDRESS PORT NAME"""
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "evasion"))
from cases import client_hello  # noqa: E402  Python's own ClientHello for a name


def with_ech(record):
    body = record[9:]                     # after the record and handshake headers
    p = 2 + 32                            # legacy_version, random
    p += 1 + body[p]                      # legacy_session_id
    p += 2 + int.from_bytes(body[p:p + 2], "big")   # cipher_suites
    p += 1 + body[p]                      # legacy_compression_methods
    exts = body[p + 2:p + 2 + int.from_bytes(body[p:p + 2], "big")]
    ech = (bytes([0]) + struct.pack(">HHB", 1, 1, os.urandom(1)[0]) +
           struct.pack(">H", 32) + os.urandom(32) + struct.pack(">H", 208) + os.urandom(208))
    exts += struct.pack(">HH", 0xFE0D, len(ech)) + ech
    body = body[:p] + struct.pack(">H", len(exts)) + exts
    handshake = bytes([1]) + len(body).to_bytes(3, "big") + body
    return bytes([22, 3, 1]) + struct.pack(">H", len(handshake)) + handshake


def main():
    address, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with socket.create_connection((address, port), timeout=3) as s:
        s.sendall(with_ech(client_hello(name)))
        try:
            s.recv(4096)
        except OSError:
            pass


if __name__ == "__main__":
    main()
