#!/usr/bin/env python3
"""flaky_file_server.py: an HTTP file server that breaks off transfers, for the resume tests of henbd's Download.

Usage: flaky_file_server.py FILE PORT-FILE MODE [LOG]
Serves FILE at every path, honouring "Range: bytes=N-" (206 with Content-Range). MODE:
  break-first  the first answer announces the whole length, sends a third of it and closes the connection;
               later ones are complete
  break-always every answer breaks off after a third of what it announced
Writes its port to PORT-FILE once listening; one line per request to LOG (default stderr).
"""
import http.server
import os
import re
import socket
import sys

path, port_file, mode = sys.argv[1], sys.argv[2], sys.argv[3]
log = open(sys.argv[4], "a", buffering=1) if len(sys.argv) > 4 else sys.stderr
data = open(path, "rb").read()
requests = [0]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        requests[0] += 1
        start = 0
        m = re.match(r"bytes=(\d+)-$", self.headers.get("Range") or "")
        if m:
            start = int(m.group(1))
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % len(data))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        body = data[start:]
        self.send_response(206 if m else 200)
        if m:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        broken = mode == "break-always" or (mode == "break-first" and requests[0] == 1)
        log.write("request=%d range=%s broken=%s\n" % (requests[0], self.headers.get("Range"), broken))
        if broken:
            self.wfile.write(body[: len(body) // 3])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
