#!/usr/bin/env python3
"""fake_cpe.py: a scripted TR-069 CPE for hemsd's integration tests, independent of henbd.

It speaks CWMP the way other vendors' devices do (the Informs are the real captures, rewritten with our
serial number and ConnectionRequestURL), answers every CPE RPC with a canned response, and logs every
request it received as one JSON line, so a test can check what hemsd sent and what it recorded.

  fake_cpe.py session --url URL [--user U --password P] [--events "1 BOOT"] [--capture FILE] ...
      one session, then exit 0 (1 when the session failed)
  fake_cpe.py serve --url URL --cr-port N [--udp-port N] --cr-user U --cr-password P ...
      register (0 BOOTSTRAP), then wait for HTTP (Digest) or UDP (Annex G) connection requests and open a
      "6 CONNECTION REQUEST" session for each valid one; bad ones are logged and ignored
"""
import argparse
import hashlib
import hmac
import http.client
import json
import os
import re
import select
import socket
import sys
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
CWMP_NS = "urn:dslforum-org:cwmp-1-0"


def log(args, **kv):
    kv["t"] = round(time.time(), 3)
    with open(args.log, "a") as f:
        f.write(json.dumps(kv) + "\n")


def envelope(cwmp_id, body):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="%s" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:cwmp="%s"><soapenv:Header><cwmp:ID soapenv:mustUnderstand="1">%s</cwmp:ID></soapenv:Header>'
        "<soapenv:Body>%s</soapenv:Body></soapenv:Envelope>" % (SOAP_ENV, CWMP_NS, cwmp_id, body)
    )


def make_inform(args, events):
    """The real capture with our identity, events and ConnectionRequestURL."""
    with open(args.capture) as f:
        xml = f.read()
    xml = re.sub(r"<SerialNumber>[^<]*</SerialNumber>", "<SerialNumber>%s</SerialNumber>" % args.serial, xml)
    ev = "".join(
        "<EventStruct><EventCode>%s</EventCode><CommandKey>%s</CommandKey></EventStruct>"
        % (code, args.command_key if code.startswith("M ") else "")
        for code in events
    )
    xml = re.sub(r"(<Event[^>]*>).*?(</Event>)", lambda m: m.group(1) + ev + m.group(2), xml, flags=re.S)
    xml = re.sub(r"arrayType=\"cwmp:EventStruct\[\d+\]\"", 'arrayType="cwmp:EventStruct[%d]"' % len(events), xml)
    cr_url = "http://127.0.0.1:%d/cr" % args.cr_port if args.cr_port else ""
    xml = re.sub(
        r"(ConnectionRequestURL</Name>\s*<Value[^>]*>)[^<]*(</Value>)",
        lambda m: m.group(1) + cr_url + m.group(2),
        xml,
    )
    if args.udp_port:
        xml = re.sub(
            r"(UDPConnectionRequestAddress</Name>\s*<Value[^>]*>)[^<]*(</Value>)",
            lambda m: m.group(1) + "127.0.0.1:%d" % args.udp_port + m.group(2),
            xml,
        )
    if args.alarm:
        xml = add_alarms(xml, args)
    return xml


ALARM_FIELDS = ("EventTime", "AlarmIdentifier", "NotificationType", "ManagedObjectInstance", "EventType",
                "ProbableCause", "SpecificProblem", "PerceivedSeverity", "AdditionalText", "AdditionalInformation")


def add_alarms(xml, args):
    """Carry --alarm events in the Inform's ParameterList as Device.FaultMgmt.<table>.{i}.* (TR-181), as a HeNB
    does for an expedited (or queued) event."""
    pvs = []
    for i, text in enumerate(args.alarm, 1):
        ev = json.loads(text)
        ev.setdefault("EventTime", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        ev.setdefault("NotificationType", "NewAlarm")
        ev.setdefault("ManagedObjectInstance", "Device.")
        for field in ALARM_FIELDS:
            v = str(ev.get(field, ""))
            v = v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            pvs.append("<ParameterValueStruct><Name>Device.FaultMgmt.%s.%d.%s</Name>"
                       "<Value xsi:type=\"xsd:%s\">%s</Value></ParameterValueStruct>"
                       % (args.alarm_table, i, field, "dateTime" if field == "EventTime" else "string", v))
    count = len(re.findall(r"<ParameterValueStruct>", xml)) + len(pvs)
    xml = re.sub(r"arrayType=\"cwmp:ParameterValueStruct\[\d+\]\"", 'arrayType="cwmp:ParameterValueStruct[%d]"' % count,
                 xml)
    return xml.replace("</ParameterList>", "".join(pvs) + "</ParameterList>", 1)


def text(el, name):
    for child in el.iter():
        if child.tag.split("}")[-1] == name:
            return child.text or ""
    return ""


def answer(args, method, req, cwmp_id):
    """The canned response of a CPE to one ACS request."""
    names = [e.text or "" for e in req.iter() if e.tag.split("}")[-1] == "string"]
    if method == "GetRPCMethods":
        ms = ["GetRPCMethods", "GetParameterValues", "SetParameterValues", "Reboot", "Download"]
        body = "<cwmp:GetRPCMethodsResponse><MethodList>%s</MethodList></cwmp:GetRPCMethodsResponse>" % "".join(
            "<string>%s</string>" % m for m in ms
        )
    elif method == "GetParameterValues":
        pv = "".join(
            "<ParameterValueStruct><Name>%s</Name><Value xsi:type=\"xsd:string\">value-of-%s</Value>"
            "</ParameterValueStruct>" % (n, n.split(".")[-1])
            for n in names
        )
        body = "<cwmp:GetParameterValuesResponse><ParameterList>%s</ParameterList></cwmp:GetParameterValuesResponse>" % pv
    elif method == "SetParameterValues":
        pvs = [(text(p, "Name"), text(p, "Value")) for p in req.iter() if p.tag.split("}")[-1] == "ParameterValueStruct"]
        bad = [n for n, _ in pvs if "ReadOnly" in n]
        for n, v in pvs if not bad else []:
            # Adopt the connection request credentials the ACS provisions, as a real CPE does.
            if n.endswith("ManagementServer.ConnectionRequestUsername"):
                args.cr_user = v
            elif n.endswith("ManagementServer.ConnectionRequestPassword"):
                args.cr_password = v
        if bad:
            faults = "".join(
                "<SetParameterValuesFault><ParameterName>%s</ParameterName><FaultCode>9008</FaultCode>"
                "<FaultString>Attempt to set a non-writable parameter</FaultString></SetParameterValuesFault>" % n
                for n in bad
            )
            body = (
                "<soapenv:Fault><faultcode>Client</faultcode><faultstring>CWMP fault</faultstring><detail>"
                "<cwmp:Fault><FaultCode>9003</FaultCode><FaultString>Invalid arguments</FaultString>%s"
                "</cwmp:Fault></detail></soapenv:Fault>" % faults
            )
        else:
            body = "<cwmp:SetParameterValuesResponse><Status>0</Status></cwmp:SetParameterValuesResponse>"
    elif method == "GetParameterNames":
        path = text(req, "ParameterPath")
        body = (
            "<cwmp:GetParameterNamesResponse><ParameterList>"
            "<ParameterInfoStruct><Name>%sA</Name><Writable>1</Writable></ParameterInfoStruct>"
            "<ParameterInfoStruct><Name>%sB.</Name><Writable>0</Writable></ParameterInfoStruct>"
            "</ParameterList></cwmp:GetParameterNamesResponse>" % (path, path)
        )
    elif method == "GetParameterAttributes":
        pa = "".join(
            "<ParameterAttributeStruct><Name>%s</Name><Notification>2</Notification><AccessList></AccessList>"
            "</ParameterAttributeStruct>" % n
            for n in names
        )
        body = "<cwmp:GetParameterAttributesResponse><ParameterList>%s</ParameterList></cwmp:GetParameterAttributesResponse>" % pa
    elif method == "AddObject":
        body = "<cwmp:AddObjectResponse><InstanceNumber>7</InstanceNumber><Status>0</Status></cwmp:AddObjectResponse>"
    elif method == "DeleteObject":
        body = "<cwmp:DeleteObjectResponse><Status>0</Status></cwmp:DeleteObjectResponse>"
    elif method == "Download":
        body = (
            "<cwmp:DownloadResponse><Status>1</Status><StartTime>0001-01-01T00:00:00Z</StartTime>"
            "<CompleteTime>0001-01-01T00:00:00Z</CompleteTime></cwmp:DownloadResponse>"
        )
    elif method in ("Reboot", "FactoryReset", "ScheduleInform", "SetParameterAttributes"):
        body = "<cwmp:%sResponse/>" % method
    else:
        body = (
            "<soapenv:Fault><faultcode>Client</faultcode><faultstring>CWMP fault</faultstring><detail><cwmp:Fault>"
            "<FaultCode>9000</FaultCode><FaultString>Method not supported</FaultString></cwmp:Fault></detail>"
            "</soapenv:Fault>"
        )
    return envelope(cwmp_id, body)


class Session:
    """One HTTP connection with cookies and (optionally) Digest auth, as a CPE keeps for a session."""

    def __init__(self, args):
        u = urllib.parse.urlsplit(args.url)
        self.args = args
        self.path = u.path or "/"
        self.conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=10)
        self.cookie = None
        self.digest = None
        self.nc = 0

    def _auth_header(self, method):
        realm, nonce, qop, opaque = self.digest
        self.nc += 1
        nc = "%08x" % self.nc
        cnonce = os.urandom(8).hex()
        ha1 = hashlib.md5(("%s:%s:%s" % (self.args.user, realm, self.args.password)).encode()).hexdigest()
        ha2 = hashlib.md5(("%s:%s" % (method, self.path)).encode()).hexdigest()
        resp = hashlib.md5(("%s:%s:%s:%s:auth:%s" % (ha1, nonce, nc, cnonce, ha2)).encode()).hexdigest()
        h = 'Digest username="%s", realm="%s", nonce="%s", uri="%s", qop=auth, nc=%s, cnonce="%s", response="%s"' % (
            self.args.user, realm, nonce, self.path, nc, cnonce, resp)
        if opaque:
            h += ', opaque="%s"' % opaque
        return h

    def post(self, body):
        for attempt in range(2):
            headers = {"Content-Type": 'text/xml; charset="utf-8"', "SOAPAction": ""}
            if self.cookie:
                headers["Cookie"] = self.cookie
            if self.digest:
                headers["Authorization"] = self._auth_header("POST")
            self.conn.request("POST", self.path, body=body.encode(), headers=headers)
            r = self.conn.getresponse()
            data = r.read().decode(errors="replace")
            sc = r.getheader("Set-Cookie")
            if sc:
                self.cookie = sc.split(";")[0]
            if r.status == 401 and self.args.user and attempt == 0:
                www = r.getheader("WWW-Authenticate") or ""
                kv = dict(re.findall(r'(\w+)="([^"]*)"', www))
                self.digest = (kv.get("realm"), kv.get("nonce"), kv.get("qop"), kv.get("opaque"))
                continue
            return r.status, data
        return r.status, data


def run_session(args, events):
    s = Session(args)
    status, data = s.post(make_inform(args, events))
    log(args, what="inform", events=events, status=status)
    if status != 200 or "InformResponse" not in data:
        print("fake_cpe: Inform answered %d: %s" % (status, data[:200]), file=sys.stderr)
        return 1
    if args.transfer_complete:
        tc = envelope(
            "tc1",
            "<cwmp:TransferComplete><CommandKey>%s</CommandKey><FaultStruct><FaultCode>%s</FaultCode>"
            "<FaultString></FaultString></FaultStruct><StartTime>2026-11-28T10:00:00Z</StartTime>"
            "<CompleteTime>2026-11-28T10:01:00Z</CompleteTime></cwmp:TransferComplete>"
            % (args.command_key, args.transfer_fault),
        )
        status, data = s.post(tc)
        log(args, what="transfer_complete", status=status, ok="TransferCompleteResponse" in data)
    body = ""
    for _ in range(1000):
        status, data = s.post(body)
        if status == 204:
            log(args, what="session_end")
            return 0
        if status != 200:
            print("fake_cpe: ACS answered %d: %s" % (status, data[:200]), file=sys.stderr)
            return 1
        root = ET.fromstring(data)
        req = next(el for el in root.iter() if el.tag.split("}")[-1] == "Body")[0]
        method = req.tag.split("}")[-1]
        cwmp_id = text(root, "ID")
        log(args, what="request", method=method, id=cwmp_id, xml=data)
        if args.drop_after and method == args.drop_after:
            log(args, what="dropped_session")
            return 0  # vanish mid-session, as a crashed or unplugged device does
        body = answer(args, method, req, cwmp_id)
    return 1


def check_digest(args, method, uri, auth):
    kv = dict(re.findall(r'(\w+)="?([^",]*)"?', auth[len("Digest "):]))
    ha1 = hashlib.md5(("%s:%s:%s" % (args.cr_user, kv.get("realm", ""), args.cr_password)).encode()).hexdigest()
    ha2 = hashlib.md5(("%s:%s" % (method, uri)).encode()).hexdigest()
    expect = hashlib.md5(
        ("%s:%s:%s:%s:%s:%s" % (ha1, kv.get("nonce"), kv.get("nc"), kv.get("cnonce"), kv.get("qop"), ha2)).encode()
    ).hexdigest()
    return kv.get("username") == args.cr_user and kv.get("nonce") == "fakecpe-nonce" and kv.get("response") == expect


def serve(args):
    """Register, then serve connection requests (HTTP Digest and UDP Annex G) until killed."""
    if run_session(args, ["0 BOOTSTRAP", "1 BOOT"]):
        return 1
    socks = []
    tcp = None
    if not args.no_http_cr:
        tcp = socket.socket()
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind(("127.0.0.1", args.cr_port))
        tcp.listen(8)
        socks.append(tcp)
    udp = None
    if args.udp_port:
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", args.udp_port))
        socks.append(udp)
    last_ts, last_id = -1, None
    open(args.ready, "w").close() if args.ready else None
    while True:
        readable, _, _ = select.select(socks, [], [], 1.0)
        for s in readable:
            if s is udp:
                data, _ = udp.recvfrom(2048)
                line = data.decode(errors="replace").split("\r\n")[0]
                m = re.match(r"GET (\S+) HTTP/1\.1$", line)
                q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(m.group(1)).query)) if m else {}
                good = False
                if all(k in q for k in ("ts", "id", "un", "cn", "sig")):
                    mac = hmac.new(args.cr_password.encode(), (q["ts"] + q["id"] + q["un"] + q["cn"]).encode(),
                                   hashlib.sha1).hexdigest()
                    fresh = int(q["ts"]) >= last_ts and q["id"] != last_id
                    good = q["un"] == args.cr_user and hmac.compare_digest(mac, q["sig"].lower()) and fresh
                log(args, what="udp_connection_request", valid=good, id=q.get("id"))
                if good:
                    last_ts, last_id = int(q["ts"]), q["id"]
                    run_session(args, ["6 CONNECTION REQUEST"])
                continue
            c, _ = tcp.accept()
            c.settimeout(5)
            req = c.recv(4096).decode(errors="replace")
            first = req.split("\r\n")[0].split(" ")
            auth = ""
            for h in req.split("\r\n")[1:]:
                if h.lower().startswith("authorization:"):
                    auth = h.split(":", 1)[1].strip()
            ok = auth.startswith("Digest ") and check_digest(args, first[0], first[1], auth)
            if ok:
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            else:
                c.sendall(
                    b'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm="fakecpe", nonce="fakecpe-nonce", '
                    b'qop="auth", algorithm=MD5\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'
                )
            c.close()
            log(args, what="http_connection_request", valid=ok, with_auth=bool(auth))
            if ok:
                run_session(args, ["6 CONNECTION REQUEST"])


class Device:
    """A stateful scripted HeNB for the remediation engine's tests: keeps the values set on it, reboots,
    factory-resets, downloads (really fetching the file), runs its self-test, and raises alarms."""

    def __init__(self, args):
        self.args = args
        self.values = {}
        self.pending = ["X 000FB7 EMERGENCY", "1 BOOT"] if args.emergency else ["0 BOOTSTRAP", "1 BOOT"]
        self.revert_left = args.refuse_config
        self.after = []        # events of the next session
        self.transfer = None   # (command_key, fault)
        self.diag = False
        self.version = args.sw_version
        self.alarms = []       # queued alarm parameter sets
        self.alarm_seq = 0

    def raise_alarm(self, kind, notification="NewAlarm"):
        cat = {
            "sw": ("Integrity Violation", "Information modification detected", "Major", "Unexpected firmware/software modification"),
            "config": ("Integrity Violation", "Information modification detected", "Minor", "Unexpected configuration change"),
            "lan": ("Security Service or Mechanism Violation", "Unauthorized access attempt", "Warning", "Attack via the LAN"),
            "case": ("Physical Violation", "Intrusion detection", "Major", "Case opened"),
            "antenna": ("Physical Violation", "Cable tamper", "Critical", "Modified antenna"),
        }[kind]
        if kind == "config":  # the tamper itself: a value changed behind the HeMS's back
            self.values["Device.ManagementServer.PeriodicInformInterval"] = "60"
        self.alarm_seq += 1
        self.alarms.append({
            "EventTime": "2026-11-28T10:00:%02dZ" % self.alarm_seq, "AlarmIdentifier": "%s-1" % kind,
            "NotificationType": notification, "ManagedObjectInstance": "Device.", "EventType": cat[0],
            "ProbableCause": cat[1], "PerceivedSeverity": cat[2] if notification != "ClearedAlarm" else "Cleared",
            "SpecificProblem": cat[3], "AdditionalText": "raised by the scripted device", "AdditionalInformation": ""})

    def inform_xml(self, events):
        xml = make_inform(self.args, events)
        extra = ""
        for i, a in enumerate(self.alarms, 1):
            for k, v in a.items():
                extra += ("<ParameterValueStruct><Name>Device.FaultMgmt.ExpeditedEvent.%d.%s</Name>"
                          "<Value xsi:type=\"xsd:string\">%s</Value></ParameterValueStruct>" % (i, k, v))
        xml = re.sub(r"(DeviceInfo.SoftwareVersion</Name>\s*<Value[^>]*>)[^<]*(</Value>)",
                     lambda m: m.group(1) + self.version + m.group(2), xml)
        n = len(re.findall("<ParameterValueStruct>", xml)) + len(re.findall("<ParameterValueStruct>", extra))
        xml = xml.replace("</ParameterList>", extra + "</ParameterList>")
        xml = re.sub(r"arrayType=\"cwmp:ParameterValueStruct\[\d+\]\"", 'arrayType="cwmp:ParameterValueStruct[%d]"' % n, xml)
        return xml

    def answer(self, method, req, cwmp_id):
        a = self.args
        if method == "SetParameterValues":
            for p in req.iter():
                if p.tag.split("}")[-1] == "ParameterValueStruct":
                    n, v = text(p, "Name"), text(p, "Value")
                    if n.endswith("ConnectionRequestUsername"):
                        a.cr_user = v
                    elif n.endswith("ConnectionRequestPassword"):
                        a.cr_password = v
                    elif n == "Device.ManagementServer.URL" and v != a.url:
                        log(a, what="new_acs", url=v)  # discovery: register at the serving HeMS
                        a.url = v
                        self.after = ["0 BOOTSTRAP", "1 BOOT"]
                    elif n == "Device.SelfTestDiagnostics.DiagnosticsState" and v == "Requested":
                        self.diag = True
                    elif n == "Device.ManagementServer.PeriodicInformInterval" and self.revert_left > 0 and self.alarms:
                        self.revert_left -= 1  # accepted, but a tampered device puts its own value back
                        log(a, what="revert", name=n)
                        continue
                    self.values[n] = v
            return envelope(cwmp_id, "<cwmp:SetParameterValuesResponse><Status>0</Status></cwmp:SetParameterValuesResponse>")
        if method == "GetParameterValues":
            names = [e.text or "" for e in req.iter() if e.tag.split("}")[-1] == "string"]
            vals = {}
            for n in names:
                if n == "Device.SelfTestDiagnostics.DiagnosticsState":
                    vals[n] = "Complete"
                elif n == "Device.SelfTestDiagnostics.Results":
                    vals[n] = a.diag_results
                elif n.endswith("."):
                    vals.update({k: v for k, v in self.values.items() if k.startswith(n)})
                else:
                    vals[n] = self.values.get(n, "factory-" + n.split(".")[-1])
            pv = "".join("<ParameterValueStruct><Name>%s</Name><Value xsi:type=\"xsd:string\">%s</Value>"
                         "</ParameterValueStruct>" % kv for kv in vals.items())
            return envelope(cwmp_id, "<cwmp:GetParameterValuesResponse><ParameterList>%s</ParameterList>"
                                     "</cwmp:GetParameterValuesResponse>" % pv)
        if method == "Reboot":
            self.after = ["1 BOOT", "M Reboot"]
        elif method == "FactoryReset":
            self.values = {}
            self.revert_left = 0 if a.reset_cures else self.revert_left
            self.after = ["0 BOOTSTRAP", "1 BOOT"]
        elif method == "Download":
            url, key = text(req, "URL"), text(req, "CommandKey")
            try:
                data = urllib.request.urlopen(url, timeout=10).read()
                ok = len(data) > 0 and not a.download_fault
            except Exception:
                ok = False
            log(a, what="download", url=url, ok=ok)
            if ok:  # the new image is clean: its self-test passes the software check
                self.version = a.new_version
                self.alarms = []
                a.diag_results = re.sub(r"sw=\w+", "sw=pass", a.diag_results)
            self.transfer = (key, "0" if ok else (a.download_fault or "9010"))
            self.after = ["1 BOOT", "M Download", "7 TRANSFER COMPLETE"]
            return envelope(cwmp_id, "<cwmp:DownloadResponse><Status>1</Status><StartTime>0001-01-01T00:00:00Z"
                                     "</StartTime><CompleteTime>0001-01-01T00:00:00Z</CompleteTime></cwmp:DownloadResponse>")
        return answer(a, method, req, cwmp_id)

    def session(self, events):
        a = self.args
        s = Session(a)
        try:
            status, data = s.post(self.inform_xml(events))
        except (OSError, http.client.HTTPException) as e:  # the HeMS is down: keep the events for the next try, like a CPE's retry
            log(a, what="inform_failed", error=str(e))
            time.sleep(0.5)
            self.pending = events + self.pending
            return 1
        log(a, what="inform", events=events, status=status)
        if status != 200:
            return 1
        if a.emergency and not getattr(self, "asked", False):
            self.asked = True
            status, data = s.post(envelope("rd", "<cwmp:RequestDownload><FileType>1 Firmware Upgrade Image</FileType>"
                                                 "<FileTypeArg></FileTypeArg></cwmp:RequestDownload>"))
            log(a, what="request_download", status=status, ok="RequestDownloadResponse" in data)
        if self.transfer and "7 TRANSFER COMPLETE" in events:
            key, fault = self.transfer
            s.post(envelope("tc", "<cwmp:TransferComplete><CommandKey>%s</CommandKey><FaultStruct><FaultCode>%s"
                            "</FaultCode><FaultString></FaultString></FaultStruct><StartTime>2026-11-28T10:00:00Z"
                            "</StartTime><CompleteTime>2026-11-28T10:01:00Z</CompleteTime></cwmp:TransferComplete>" % (key, fault)))
            self.transfer = None
        body = ""
        while True:
            try:
                status, data = s.post(body)
            except (OSError, http.client.HTTPException) as e:
                log(a, what="session_broken", error=str(e))
                return 1
            if status == 204:
                return 0
            if status != 200:
                return 1
            root = ET.fromstring(data)
            req = next(el for el in root.iter() if el.tag.split("}")[-1] == "Body")[0]
            method = req.tag.split("}")[-1]
            log(a, what="request", method=method, id=text(root, "ID"))
            if a.stall_on == method and self.alarms:
                a.stall_on = ""  # once
                log(a, what="stalling", method=method)
                time.sleep(a.stall_seconds)
            body = self.answer(method, req, text(root, "ID"))

    def run(self):
        """Sessions as events come: boot, alarms (from a control file), connection requests, reboots."""
        a = self.args
        tcp = socket.socket()
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind(("127.0.0.1", a.cr_port))
        tcp.listen(8)
        if a.ready:
            open(a.ready, "w").close()
        while True:
            if a.control and os.path.exists(a.control):
                for line in open(a.control).read().split():
                    kind, _, note = line.partition(":")
                    self.raise_alarm(kind, "ClearedAlarm" if note == "clear" else "NewAlarm")
                    self.pending.append("4 VALUE CHANGE")
                os.unlink(a.control)
            if self.pending:
                ev, self.pending = self.pending, []
                ev = list(dict.fromkeys(ev))
                self.session(ev)
                if self.diag:
                    self.diag = False
                    self.pending = ["8 DIAGNOSTICS COMPLETE"]
                if self.after:
                    if a.boot_delay and "1 BOOT" in self.after:
                        log(a, what="rebooting", seconds=a.boot_delay)
                        time.sleep(a.boot_delay)  # a real boot takes a while
                    self.pending, self.after = self.after, []
                continue
            r, _, _ = select.select([tcp], [], [], 0.2)
            if r:
                c, _ = tcp.accept()
                c.settimeout(5)
                req = c.recv(4096).decode(errors="replace")
                first = req.split("\r\n")[0].split(" ")
                auth = next((h.split(":", 1)[1].strip() for h in req.split("\r\n")[1:]
                             if h.lower().startswith("authorization:")), "")
                ok = auth.startswith("Digest ") and check_digest(a, first[0], first[1], auth)
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" if ok else
                          b'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm="fakecpe", nonce="fakecpe-nonce", '
                          b'qop="auth", algorithm=MD5\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
                c.close()
                if ok:
                    self.pending.append("6 CONNECTION REQUEST")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["session", "serve", "device"])
    p.add_argument("--url", required=True)
    p.add_argument("--user", default="")
    p.add_argument("--password", default="")
    p.add_argument("--serial", default="FAKE0001")
    p.add_argument("--events", default="2 PERIODIC")
    p.add_argument("--capture", default=os.path.join(os.environ.get("LF_REF", "../shared/reference"),
                                                   "captures", "inform-cavium-enb.xml"))
    p.add_argument("--cr-port", type=int, default=0)
    p.add_argument("--udp-port", type=int, default=0)
    p.add_argument("--cr-user", default="cr-user")
    p.add_argument("--cr-password", default="cr-password")
    p.add_argument("--command-key", default="")
    p.add_argument("--transfer-complete", action="store_true", help="send TransferComplete after the Inform")
    p.add_argument("--transfer-fault", default="0")
    p.add_argument("--drop-after", default="", help="vanish when this request arrives")
    p.add_argument("--log", default="/dev/null")
    p.add_argument("--ready", default="", help="file created once serving")
    p.add_argument("--no-http-cr", action="store_true", help="report a ConnectionRequestURL but do not listen on it")
    p.add_argument("--alarm", action="append", default=[],
                   help="an alarm event (JSON object of TR-181 FaultMgmt event fields: AlarmIdentifier, "
                        "NotificationType, EventType, ProbableCause, SpecificProblem, PerceivedSeverity, ...) carried "
                        "in the Inform; repeat for several")
    p.add_argument("--alarm-table", default="ExpeditedEvent", choices=["ExpeditedEvent", "QueuedEvent"])
    p.add_argument("--control", default="", help="device: file of alarm kinds to raise (sw config lan case antenna[:clear])")
    p.add_argument("--refuse-config", type=int, default=0, help="device: put PeriodicInformInterval back N times")
    p.add_argument("--reset-cures", action="store_true", help="device: a factory reset stops the reverting")
    p.add_argument("--sw-version", default="1.0")
    p.add_argument("--stall-on", default="", help="device: hold the answer to this request once (after an alarm)")
    p.add_argument("--stall-seconds", type=float, default=3)
    p.add_argument("--emergency", action="store_true", help="device: start in failsafe mode: X 000FB7 EMERGENCY + RequestDownload")
    p.add_argument("--boot-delay", type=float, default=0, help="device: seconds a reboot takes")
    p.add_argument("--new-version", default="2.0", help="device: SoftwareVersion after a download")
    p.add_argument("--download-fault", default="", help="device: TransferComplete fault code to report")
    p.add_argument("--diag-results", default="sw=pass;config=pass;case=pass")
    args = p.parse_args()
    if args.mode == "device":
        return Device(args).run()
    if args.mode == "session":
        return run_session(args, [e for e in args.events.split(",") if e])
    return serve(args)


if __name__ == "__main__":
    sys.exit(main())
