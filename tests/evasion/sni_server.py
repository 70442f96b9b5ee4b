#!/usr/bin/python3
"""A TLS server that records the server name each ClientHello asked for, as
OpenSSL read it: one line "CLIENT_PORT NAME" a handshake in LOG.

  sni_server.py PORT CERT KEY LOG
"""
import socket
import ssl
import sys
import threading

port, cert, key, log_path = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]


def record(sslobj, name, ctx):
    peer = sslobj.getpeername()
    with open(log_path, "a") as log:
        log.write(f"{peer[1]} {name}\n")


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.sni_callback = record


def serve(conn):
    conn.settimeout(20)
    try:
        with ctx.wrap_socket(conn, server_side=True) as tls:
            tls.recv(1)
    except (OSError, ssl.SSLError):
        pass
    finally:
        conn.close()


listener = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("::", port))
listener.listen(64)
while True:
    c, _ = listener.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
