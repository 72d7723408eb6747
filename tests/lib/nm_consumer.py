#!/usr/bin/env python3
"""nm_consumer.py: a northbound consumer (NM, fraud detection, a webhook adapter) for hemsd's integration tests.

Records every POST it receives as one JSON line {t, path, status, body} in --log (and its arrival, before any
answer, in --log.arrivals), and answers with the status
in --status-file (default 204: the 28.532 "notification delivered"). Stop it (kill) to simulate an outage and
start it again on the same --port; write 500 into the status file to make it refuse; write "sleep N" to hold
each answer N seconds (a delivery caught in flight).

  nm_consumer.py --port-file F --log L [--port N] [--status-file S] [--ready R]
  nm_consumer.py check --log L [--path P]   print the notificationIds received on P, in order, one per line
"""
import argparse
import http.server
import json
import os
import socketserver
import sys
import threading
import time

LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n)
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"unparsed": raw.decode(errors="replace")}
        with LOCK:  # the request arrived (answered or not: a test may kill the sender meanwhile)
            with open(self.server.args.log + ".arrivals", "a") as f:
                f.write(json.dumps({"t": round(time.time(), 3), "path": self.path,
                                    "notificationId": body.get("notificationId") if isinstance(body, dict) else None})
                        + "\n")
        status = 204
        sf = self.server.args.status_file
        if sf and os.path.exists(sf):
            mode = open(sf).read().strip()
            if mode.startswith("sleep"):
                time.sleep(float(mode.split()[1]))
            elif mode:
                status = int(mode)
        with LOCK:
            with open(self.server.args.log, "a") as f:
                f.write(json.dumps({"t": round(time.time(), 3), "path": self.path, "status": status,
                                    "body": body}) + "\n")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def check(args):
    """The notificationIds acknowledged (2xx) on a path, in the order received."""
    for line in open(args.log):
        d = json.loads(line)
        if args.path and d["path"] != args.path:
            continue
        if 200 <= d["status"] <= 299:
            print(d["body"].get("notificationId"), d["body"].get("notificationType"))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", nargs="?", default="serve", choices=["serve", "check"])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", default="")
    p.add_argument("--log", required=True)
    p.add_argument("--status-file", default="")
    p.add_argument("--path", default="")
    args = p.parse_args()
    if args.mode == "check":
        return check(args)
    srv = Server(("127.0.0.1", args.port), Handler)
    srv.args = args
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.rename(args.port_file + ".tmp", args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
