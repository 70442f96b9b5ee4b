# The demo's web server: HTTP/1.1 with keep-alive, answering every GET after
# 50 ms (a server a little way off, as real ones are) with one line naming
# the host and path it was asked for.
#   server.py PORT
import http.server
import socket
import sys
import time


class Answer(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        time.sleep(0.05)
        body = f"hello from {self.headers.get('Host', '?')}{self.path}\n".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class DualStack(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6


DualStack(("::", int(sys.argv[1])), Answer).serve_forever()
