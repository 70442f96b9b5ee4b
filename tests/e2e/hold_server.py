# An HTTP server that never answers: each request's handler waits for the
# client's next move and records what ended the connection, one line a
# connection "CLIENT_PORT OUTCOME CLIENT_ADDR" (OUTCOME: reset, eof, data,
# timeout) in LOG.
#   hold_server.py PORT LOG
import http.server
import socket
import sys


class Hold(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.connection.settimeout(20)
        try:
            outcome = "data" if self.connection.recv(1) else "eof"
        except ConnectionResetError:
            outcome = "reset"
        except socket.timeout:
            outcome = "timeout"
        with open(sys.argv[2], "a") as log:
            log.write(f"{self.client_address[1]} {outcome} {self.client_address[0]}\n")
        self.close_connection = True

    def log_message(self, *args):
        pass


class DualStack(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6


DualStack(("::", int(sys.argv[1])), Hold).serve_forever()
