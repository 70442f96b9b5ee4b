#!/usr/bin/python3
"""An HTTP server as applications built on Python's http.server see
requests: the host is the Host header, whatever the request target says
(an absolute-form target is not looked into). One line "CLIENT_PORT HOST
TARGET" a request in LOG; the host lower-cased, without port or trailing
dot.

  host_server.py PORT LOG
"""
import http.server
import socket
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        host = (self.headers["Host"] or "").rsplit(":", 1)[0].rstrip(".").lower()
        with open(sys.argv[2], "a") as log:
            log.write(f"{self.client_address[1]} {host} {self.path}\n")
        body = b"ok\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class DualStack(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6


DualStack(("::", int(sys.argv[1])), Handler).serve_forever()
