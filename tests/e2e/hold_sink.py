# A keep-alive HTTP/1.1 server (and the same over TLS) that logs what it
# receives, one line each: "GET PATH", "POST PATH SHA256-OF-BODY", and for
# TLS "SNI NAME" at every ClientHello. Answers GET with "ok", POST with the
# body's SHA-256.
#   hold_sink.py HTTP_PORT TLS_PORT CERT KEY LOG
import hashlib
import http.server
import socket
import ssl
import sys
import threading

LOG = sys.argv[5]
lock = threading.Lock()


def note(line):
    with lock, open(LOG, "a") as f:
        f.write(line + "\n")


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, body):
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        note(f"GET {self.path}")
        self.answer(b"ok\n")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        digest = hashlib.sha256(body).hexdigest()
        note(f"POST {self.path} {digest}")
        self.answer(digest.encode() + b"\n")

    def log_message(self, *args):
        pass


class DualStack(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass    # resets are what the tests provoke


def serve_tls(port, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.sni_callback = lambda sock, name, c: note(f"SNI {name}")
    srv = DualStack(("::", port), Sink)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.serve_forever()


threading.Thread(target=serve_tls, args=(int(sys.argv[2]), sys.argv[3], sys.argv[4]),
                 daemon=True).start()
DualStack(("::", int(sys.argv[1])), Sink).serve_forever()
