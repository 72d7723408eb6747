#!/usr/bin/env python3
"""bench/fleet.py MODE BUILD_DIR OUT_DIR [SIZES...]: the fleet benchmarks, one henbsim run per fleet size
against one hemsd (default configuration, SQLite store on disk, an NM consumer subscribed to FaultMnS):

  2. boot storm: every device powers on at once; time until all are registered, hemsd's peak RSS, 503s
     issued, and that hemsd's store holds every device in the end;
  3. alarm storm: once the fleet is registered and in periodic load, 10% of it has its case opened at the
     same instant; time until every alarm is stored, every case opened, every notification delivered to the
     NM consumer; lost and duplicated counts;
  4. remediation latency under that load: the alarm stored (the InformResponse to the Inform that carried
     it) to the first remediation RPC from hemsd, p50/p99, measured by the devices.

Baselines from the same run (this machine is shared and noisy): the raw request rate of a minimal 204
responder on libmicrohttpd (bench_http204, same client as bench 1), and the fleet's own periodic sessions.
Writes OUT_DIR/fleet-N.json per size and OUT_DIR/fleet-N.png (gnuplot) with the curves.
Never a pass/fail on time: the exit status says only whether everything could be measured.
"""
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
NM_CONSUMER = os.path.join(HERE, "..", "tests", "lib", "nm_consumer.py")
TOKEN = "bench-token"
STORM_SHARE = 0.1


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def kb(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def metrics(port):
    try:
        text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5).read().decode()
    except OSError:
        return {}
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\S+) (\d+)$", text, re.M)}


def metric(port, name):
    return metrics(port).get(name)


class Run:
    def __init__(self, build, work):
        self.build, self.work, self.procs = build, work, []

    def start(self, args, log, **kw):
        p = subprocess.Popen(args, stdout=kw.get("stdout", subprocess.DEVNULL), stderr=open(log, "ab"))
        self.procs.append(p)
        return p

    def stop_all(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def wait_http(port, path="/metrics", seconds=20):
    end = time.time() + seconds
    while time.time() < end:
        try:
            urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=2)
            return True
        except OSError:
            time.sleep(0.1)
    return False


def raw_baseline(run, build, seconds):
    """Requests/s of the minimal 204 responder, driven by bench_inform_load (same as bench 1)."""
    port = free_port()
    p = run.start([os.path.join(build, "bench_http204"), str(port)], os.path.join(run.work, "http204.log"))
    time.sleep(0.3)
    out = subprocess.run([os.path.join(build, "bench_inform_load"), "--url", "http://127.0.0.1:%d/" % port,
                          "--raw", "--threads", "4", "--seconds", str(seconds)],
                         capture_output=True, text=True, check=True).stdout
    p.terminate()
    p.wait()
    return json.loads(out)["requests_per_s"]


class Watcher(threading.Thread):
    """Samples hemsd's store and the NM consumer's log while the fleet runs: (wall, alarms, cases, notified)."""

    def __init__(self, db, nm_log, hems_pid, hems_port):
        super().__init__(daemon=True)
        self.db, self.nm_log, self.hems_pid, self.hems_port = db, nm_log, hems_pid, hems_port
        self.first_rpc, self.cpu, self.sim_pid = [], [], None
        self.samples, self.stop, self.peak_rss = [], False, 0
        self.notif_ids, self.alarm_notifs, self.notified_devices = [], {}, set()
        self._off = 0

    def _consumer(self):
        try:
            with open(self.nm_log) as f:
                f.seek(self._off)
                for line in f:
                    if not line.endswith("\n"):
                        break
                    self._off += len(line.encode())
                    rec = json.loads(line)
                    if rec.get("status") != 204:
                        continue
                    body = rec["body"]
                    self.notif_ids.append(body.get("notificationId"))
                    if body.get("notificationType") == "notifyNewAlarm" and body.get("specificProblem") == "Case opened":
                        # One alarm event: a device raises the same alarm again after a factory reset
                        # (a new event, new time), which is not a duplicate.
                        key = (body["deviceId"], body["alarmIdentifier"], body.get("deviceEventTime"))
                        self.alarm_notifs[key] = self.alarm_notifs.get(key, 0) + 1
                        self.notified_devices.add(body["deviceId"])
        except FileNotFoundError:
            pass

    def run(self):
        con = None
        while not self.stop:
            try:
                if con is None:
                    con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True, timeout=5)
                alarms = con.execute("SELECT count(DISTINCT device_id) FROM alarms WHERE specific_problem = "
                                     "'Case opened' AND notification_type = 'NewAlarm'").fetchone()[0]
                cases = con.execute("SELECT count(DISTINCT device_id) FROM cases").fetchone()[0]
            except sqlite3.Error:
                con, alarms, cases = None, 0, 0
            self._consumer()
            self.samples.append((time.time(), alarms, cases, len(self.notified_devices)))
            m = metrics(self.hems_port)
            self.first_rpc.append((time.time(), m.get('hems_remediation_first_rpc_ms_count'),
                                   m.get('hems_remediation_first_rpc_ms{quantile="0.5"}'),
                                   m.get('hems_remediation_first_rpc_ms{quantile="0.99"}'),
                                   m.get('hems_remediation_first_rpc_ms_max')))
            self.peak_rss = max(self.peak_rss, kb(self.hems_pid, "VmHWM"))
            self.cpu.append((time.time(), cpu_s(self.hems_pid), cpu_s(self.sim_pid) if self.sim_pid else None))
            time.sleep(0.1)


def cpu_s(pid):
    """utime + stime of a process in seconds."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def first_reach(samples, idx, target, t0):
    for s in samples:
        if s[0] >= t0 and s[idx] >= target:
            return round(s[0] - t0, 2)
    return None


def signed_image(build, work):
    """A small signed image provisioned into slot A, for every device's software integrity check (without it
    the self test fails 'sw' and every case escalates to a factory reset)."""
    img = os.path.join(build, "henb-image")
    src = os.path.join(work, "img-src")
    os.makedirs(os.path.join(src, "etc"), exist_ok=True)
    open(os.path.join(src, "etc", "release"), "w").write("Lifeline HeNB bench release 1.0\n")
    k, pub, lfi = (os.path.join(work, x) for x in ("k.priv", "k.pub", "v1.lfi"))
    q = dict(check=True, stdout=subprocess.DEVNULL)
    subprocess.run([img, "keygen", k, pub], **q)
    subprocess.run([img, "build", "--key", k, "--product-class", "LifelineHeNB", "--hw", "1.0", "--version", "1.0",
                    "--out", lfi, src], **q)
    subprocess.run([img, "provision", "--pub", pub, "--dev", os.path.join(work, "img"), "--slot", "A",
                    "--product-class", "LifelineHeNB", "--hw", "1.0", lfi], **q)
    return os.path.join(work, "img", "slots", "A"), pub


def one_size(mode, build, out, n, raw_rps):
    work = tempfile.mkdtemp(prefix="lifeline-fleet.")
    fleet_dir = tempfile.mkdtemp(prefix="lifeline-fleet.", dir="/dev/shm")  # the devices, in memory
    run = Run(build, work)
    res = {"bench": "fleet", "devices": n, "mode": mode}
    try:
        hp, cp = free_port(), free_port()
        db = os.path.join(work, "hems.db")  # on disk: the real store
        hems = run.start([os.path.join(build, "hemsd"), "--set", "hemsd.listen_port=%d" % hp,
                          "--set", "hemsd.store=sqlite:%s" % db, "--set", "hemsd.log_level=warn",
                          "--set", "nbi.token=%s" % TOKEN], os.path.join(work, "hemsd.log"))
        nm_log = os.path.join(work, "nm.jsonl")
        run.start([sys.executable, NM_CONSUMER, "--port", str(cp), "--port-file", os.path.join(work, "nm.port"),
                   "--log", nm_log], os.path.join(work, "nm.log"))
        if not wait_http(hp):
            raise RuntimeError("hemsd did not start (see %s/hemsd.log)" % work)
        time.sleep(0.5)
        req = urllib.request.Request("http://127.0.0.1:%d/FaultSupervisionMnS/v1/subscriptions" % hp, method="POST",
                                     data=json.dumps({"consumerReference": "http://127.0.0.1:%d/nm" % cp,
                                                      "filter": {}}).encode(),
                                     headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=10)
        base_rss = kb(hems.pid, "VmRSS")

        # Periodic load of about 1000 sessions/s once registered (interval N/1000 s, at least 30 s).
        periodic = max(30, n // 1000)
        slot, pub = signed_image(build, work)
        sim_json = os.path.join(work, "sim.json")
        timeline = os.path.join(work, "sim.timeline")
        watcher = Watcher(db, nm_log, hems.pid, hp)
        watcher.start()
        sim = run.start([os.path.join(build, "henbsim"), "--acs", "http://127.0.0.1:%d/cwmp" % hp, "-n", str(n),
                         "--dir", fleet_dir, "--periodic", str(periodic), "--set", "monitor.debounce=1",
                         "--set", "monitor.image_dir=" + slot, "--set", "firmware.pubkey=" + pub,
                         # 4.: single alarms (20 a second) under the periodic load; then 3.: the storm.
                         "--tamper", "%g:case:+10:20" % (max(50, n // 500) / n), "--tamper", "%g:case:+30" % STORM_SHARE,
                         "--until-alarms", "--linger", "20",
                         "--timeout", "1800", "--json", sim_json, "--timeline", timeline, "-q"],
                        os.path.join(work, "henbsim.log"), stdout=open(os.path.join(work, "sim.out"), "w"))
        watcher.sim_pid = sim.pid
        t_start = time.time()
        sim.wait()
        s = json.load(open(sim_json))
        single, storm = s["tamper"][0], s["tamper"][1]
        tampered = single["devices"] + storm["devices"]  # case alarms on distinct devices, both events
        # Let the northbound side finish draining (it is not part of the device's view).
        end = time.time() + 120
        while time.time() < end and (not watcher.samples or watcher.samples[-1][3] < tampered
                                     or watcher.samples[-1][2] < tampered):
            time.sleep(0.2)
        watcher.stop = True
        watcher.join()
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        in_store = con.execute("SELECT count(*) FROM devices").fetchone()[0]
        # Per device: the storm's alarm, and any raised again after a remediation reset (distinct events).
        alarm_rows = con.execute("SELECT count(DISTINCT device_id || ' ' || alarm_identifier || ' ' || event_time), "
                                 "count(DISTINCT device_id), count(*) FROM alarms WHERE "
                                 "specific_problem = 'Case opened' AND notification_type = 'NewAlarm'").fetchone()
        case_rows = con.execute("SELECT count(*), count(DISTINCT device_id) FROM cases").fetchone()
        con.close()
        requests = metric(hp, "hems_http_requests_total") or 0
        # hemsd's own measure of 4.: the alarm stored (its case opened) to the case's first RPC sent, as it
        # stood just before the storm (the single alarms only).
        before = [x for x in watcher.first_rpc if x[0] < storm["at_unix_ms"] / 1000.0 and x[1] is not None]
        _, first_rpc_n, p50, p99, first_rpc_max = before[-1] if before else (0, None, None, None, None)
        first_rpc = {"0.5": p50, "0.99": p99}
        refused = metric(hp, 'hems_refused_total{reason="overload"}') or 0

        # The storm starts once every device is powered on (henbsim starts them first, then releases all).
        reg_s = s["all_registered_s"] - s["all_powered_s"] if s["all_registered_s"] > 0 else None
        reg_rate = n / reg_s if reg_s and reg_s > 0 else 0
        # Where the boot storm's time went: CPU of each side until the fleet was registered.
        t_rel, t_reg = t_start + s["all_powered_s"], t_start + s["all_registered_s"]
        span = [c for c in watcher.cpu if t_rel <= c[0] <= t_reg and c[1] is not None and c[2] is not None]
        hems_cpu = span[-1][1] - span[0][1] if len(span) > 1 else None
        sim_cpu = span[-1][2] - span[0][2] if len(span) > 1 else None
        t0 = storm["at_unix_ms"] / 1000.0
        notified = len(watcher.notified_devices)
        dup_notif = sum(v - 1 for v in watcher.alarm_notifs.values()) + \
            (len(watcher.notif_ids) - len(set(watcher.notif_ids)))
        t_stored = first_reach(watcher.samples, 1, tampered, t0)
        t_cases = first_reach(watcher.samples, 2, tampered, t0)
        t_notified = first_reach(watcher.samples, 3, tampered, t0)
        session_p50 = s["session"]["p50_ms"]
        # CPU of each side while the storm drained (periodic background load included).
        sw = [c for c in watcher.cpu if t0 <= c[0] <= t0 + (t_notified or 0) and c[1] is not None and c[2] is not None]
        storm_hems_cpu = sw[-1][1] - sw[0][1] if len(sw) > 1 else None
        storm_sim_cpu = sw[-1][2] - sw[0][2] if len(sw) > 1 else None
        remedy = single["alarm_to_first_rpc"]
        res.update({
            "boot": {
                "all_registered_s": round(reg_s, 2) if reg_s else None, "registrations_per_s": round(reg_rate, 1),
                "power_on_s": s["all_powered_s"],
                "devices_in_store": in_store, "lost": n - in_store,
                "http_503": refused, "hemsd_peak_rss_kb": watcher.peak_rss, "hemsd_start_rss_kb": base_rss,
                "requests_per_registration_avg": round(requests / max(1, s["sessions_ok"] + s["sessions_failed"]), 2),
                "raw_204_requests_per_s": raw_rps,
                "hemsd_cpu_ms_per_registration": round(1000 * hems_cpu / n, 3) if hems_cpu else None,
                "henbsim_cpu_ms_per_registration": round(1000 * sim_cpu / n, 3) if sim_cpu else None,
                "sim_p50_register_ms": s["register"]["p50_ms"], "sim_p99_register_ms": s["register"]["p99_ms"],
            },
            "storm": {
                "alarms": tampered, "stored_s": t_stored, "cases_opened_s": t_cases, "notified_s": t_notified,
                "storm_alarms": storm["devices"], "single_alarms_before": single["devices"],
                "device_delivered_p99_ms": storm["alarm"]["p99_ms"],
                "stored": alarm_rows[1], "lost": tampered - alarm_rows[1], "duplicated": alarm_rows[2] - alarm_rows[0],
                "alarm_events_stored": alarm_rows[0],
                "hemsd_cpu_s": round(storm_hems_cpu, 2) if storm_hems_cpu is not None else None,
                "henbsim_cpu_s": round(storm_sim_cpu, 2) if storm_sim_cpu is not None else None,
                "cases": case_rows[1], "duplicate_cases": case_rows[0] - case_rows[1],
                "notified": notified, "duplicated_notifications": dup_notif,
            },
            "remediation": {"n": first_rpc_n, "p50_ms": first_rpc["0.5"], "p99_ms": first_rpc["0.99"],
                            "during_storm_device_view": {"p50_ms": storm["alarm_to_first_rpc"]["p50_ms"],
                                                         "p99_ms": storm["alarm_to_first_rpc"]["p99_ms"]},
                            "max_ms": first_rpc_max,
                            "device_view": {"n": remedy["n"], "p50_ms": remedy["p50_ms"], "p99_ms": remedy["p99_ms"],
                                            "max_ms": remedy["max_ms"]},
                            "periodic_session_p50_ms": session_p50,
                            "background_periodic_interval_s": periodic},
            "henbsim": {"peak_rss_kb": s["peak_rss_kb"], "sessions_ok": s["sessions_ok"],
                        "sessions_failed": s["sessions_failed"], "failures": s["failures"]},
        })
        # Ratios against the same run's baselines.
        b = res["boot"]
        b["ratio_vs_raw_204"] = round(reg_rate * b["requests_per_registration_avg"] / raw_rps, 3) if raw_rps else None
        st = res["storm"]
        if t_notified:
            st["alarms_per_s"] = round(storm["devices"] / t_notified, 1)
            st["ratio_vs_registration_rate"] = round(st["alarms_per_s"] / reg_rate, 3) if reg_rate else None
        r = res["remediation"]
        r["ratio_p50_vs_periodic_session_p50"] = round((r["p50_ms"] or 0) / session_p50, 3) if session_p50 else None
        json.dump(res, open(os.path.join(out, "fleet-%d.json" % n), "w"), indent=2)
        plot(out, n, timeline, watcher.samples, t0, s["all_registered_s"], t_notified)
        return res
    finally:
        run.stop_all()
        shutil.rmtree(fleet_dir, ignore_errors=True)
        if os.environ.get("LF_KEEP"):
            print("kept: %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)


def plot(out, n, timeline, samples, t0, reg_s, notified_s):
    if not shutil.which("gnuplot"):
        return
    storm = os.path.join(out, "fleet-%d.storm.dat" % n)
    with open(storm, "w") as f:
        f.write("# s_after_tamper alarms_stored cases notified\n")
        for s in samples:
            if s[0] >= t0 - 1:
                f.write("%.2f %d %d %d\n" % (s[0] - t0, s[1], s[2], s[3]))
    boot = os.path.join(out, "fleet-%d.boot.dat" % n)
    shutil.copyfile(timeline, boot)
    script = """
set terminal pngcairo size 1200,480 noenhanced
set output '{png}'
set multiplot layout 1,2 title 'Lifeline fleet of {n} simulated HeNBs (henbsim) against one hemsd'
set xrange [0:{bx}]
set title 'boot storm: registered devices'
set xlabel 's after power-on'
set key left top
plot '{boot}' using 1:3 with lines lw 2 title 'registered', '' using 1:7 with lines title 'sessions open'
set xrange [-1:{sx}]
set title 'alarm storm: {a} case-open alarms'
set xlabel 's after the tamper'
plot '{storm}' using 1:2 with lines lw 2 title 'stored', '' using 1:3 with lines title 'cases opened', \\
     '' using 1:4 with lines title 'NM notified'
unset multiplot
""".format(png=os.path.join(out, "fleet-%d.png" % n), n=n, boot=boot, storm=storm,
           a=samples[-1][1] if samples else 0, bx=max(5, 1.3 * (reg_s or 60)), sx=max(3, 1.5 * (notified_s or 10)))
    subprocess.run(["gnuplot"], input=script, text=True, check=False, stderr=subprocess.DEVNULL)


def report(r):
    b, st, rm = r["boot"], r["storm"], r["remediation"]
    print("boot storm %d: all registered in %s s (%.0f/s), %d in the store, lost %d, 503s %d, hemsd peak RSS %d KB; "
          "%.1f requests per session; ratio vs raw 204 %s; CPU per registration: hemsd %s ms, henbsim %s ms" % (
              r["devices"], b["all_registered_s"], b["registrations_per_s"], b["devices_in_store"], b["lost"],
              b["http_503"], b["hemsd_peak_rss_kb"], b["requests_per_registration_avg"], b["ratio_vs_raw_204"],
              b["hemsd_cpu_ms_per_registration"], b["henbsim_cpu_ms_per_registration"]))
    print("alarm storm %d alarms (and %d single ones before): stored by %s s, cases by %s s, NM notified by %s s; lost %d, duplicated %d, "
          "duplicate cases %d, duplicated notifications %d; ratio vs registration rate %s" % (
              st["storm_alarms"], st["single_alarms_before"], st["stored_s"], st["cases_opened_s"], st["notified_s"], st["lost"], st["duplicated"],
              st["duplicate_cases"], st["duplicated_notifications"], st.get("ratio_vs_registration_rate")))
    print("    CPU while it drained: hemsd %s s, henbsim %s s" % (st["hemsd_cpu_s"], st["henbsim_cpu_s"]))
    print("remediation latency (alarm stored -> first RPC sent, hemsd) under periodic load of %d devices every %d s: "
          "p50 %s ms, p99 %s ms, max %s ms (n=%s); seen by the devices (InformResponse -> RPC received, including "
          "the simulator's own queueing) p50 %d ms, p99 %d ms; ratio p50 vs a periodic session's p50 %s" % (
              r["devices"], rm["background_periodic_interval_s"], rm["p50_ms"], rm["p99_ms"], rm["max_ms"], rm["n"],
              rm["device_view"]["p50_ms"], rm["device_view"]["p99_ms"], rm["ratio_p50_vs_periodic_session_p50"]))


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ("quick", "full"):
        sys.stderr.write(__doc__)
        return 2
    mode, build, out = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    sizes = [int(x) for x in sys.argv[4:]] or ([2000] if mode == "quick" else [10000, 100000])
    os.makedirs(out, exist_ok=True)
    run = Run(build, tempfile.mkdtemp(prefix="lifeline-raw."))
    try:
        raw = raw_baseline(run, build, 3)
    finally:
        run.stop_all()
        shutil.rmtree(run.work, ignore_errors=True)
    ok = True
    for n in sizes:
        try:
            report(one_size(mode, build, out, n, raw))
        except Exception as e:  # a size that could not be measured is reported, the others still run
            print("fleet %d: could not be measured: %s" % (n, e))
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
