#!/usr/bin/env bash
# acs_file_server: registered files are served with their SHA-256 known to the HeMS and with HTTP Range, so a
# HeNB can resume an interrupted firmware download; bad registrations and ranges get clear answers.
. "$(dirname "$0")/../lib/common.sh"

start_hemsd hems
head -c 1000000 /dev/urandom > "$T/image.bin"
sum=$(sha256sum "$T/image.bin" | cut -d' ' -f1)
hemsctl file add fw-1.0.img "$T/image.bin" --product-class LifelineHeNB --version 1.0 >/dev/null
[ "$(hemsctl --json files | json_get 'd["files"][0]["sha256"]')" = "$sum" ] || fail "sha256 not computed"
[ "$(hemsctl --json files | json_get 'd["files"][0]["size"]')" = 1000000 ] || fail "size"
ok "file registered with size and SHA-256"

F="http://127.0.0.1:$HEMS_PORT/files/fw-1.0.img"
curl -s -o "$T/whole" "$F"
[ "$(sha256sum < "$T/whole" | cut -d' ' -f1)" = "$sum" ] || fail "whole download differs"
# Resume: the first 300000 bytes, then the rest with a Range request.
curl -s -r 0-299999 -o "$T/part1" -w '%{http_code}' "$F" | grep -q 206 || fail "first range"
code=$(curl -s -r 300000- -D "$T/h" -o "$T/part2" -w '%{http_code}' "$F")
[ "$code" = 206 ] && grep -qi '^Content-Range: bytes 300000-999999/1000000' "$T/h" || fail "resume range: $code"
[ "$(cat "$T/part1" "$T/part2" | sha256sum | cut -d' ' -f1)" = "$sum" ] || fail "resumed download differs"
curl -s -r -100 -o "$T/tail" "$F"
[ "$(stat -c %s "$T/tail")" = 100 ] || fail "suffix range"
ok "whole and resumed (Range) downloads match the SHA-256"

[ "$(curl -s -o /dev/null -w '%{http_code}' -r 2000000- "$F")" = 416 ] || fail "unsatisfiable range"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HEMS_PORT/files/nope")" = 404 ] || fail "unknown file"
if hemsctl file add ../etc "$T/image.bin" 2>"$T/err"; then fail "path in name accepted"; fi
if hemsctl file add x.img /nonexistent 2>"$T/err"; then fail "unreadable path accepted"; fi
grep -q "cannot be read" "$T/err" || fail "message: $(cat "$T/err")"
ok "416 for a range past the end, 404 for unknown files, bad registrations refused"

hemsctl metrics | grep -q '^hems_request_seconds_count [1-9]' || fail "metrics histogram"
hemsctl metrics | grep -q '^# TYPE hems_tasks_total counter' || fail "metrics types"
ok "/metrics in Prometheus text format"
