#!/bin/sh
# Regenerates fixtures/captures/*.json: real exchanges between ipmitool and
# OpenIPMI's ipmi_sim on loopback, captured with tcpdump and decoded to UDP
# payloads with tshark. Developer tool (needs root: port 623 and packet
# capture); the test suite only reads the JSON it writes.
#
# Usage: sudo scripts/capture-fixtures.sh [name ...]   (default: all)
# Env:   CAPTURE_ADDR (default 127.0.0.2) - must be a loopback address.
set -eu

ADDR=${CAPTURE_ADDR:-127.0.0.2}
case "$ADDR" in 127.*) ;; *) echo "CAPTURE_ADDR must be in 127.0.0.0/8" >&2; exit 1 ;; esac
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT="$REPO/fixtures/captures"
for b in ipmi_sim ipmitool tcpdump tshark node; do
  command -v "$b" >/dev/null || { echo "missing $b (apt-get install openipmi ipmitool tcpdump tshark)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "run as root (binds $ADDR:623 and captures on lo)" >&2; exit 1; }

ADMIN_USER=admin; ADMIN_PASS=ADMIN
PLAIN_USER=user;  PLAIN_PASS=userpass

WORK=$(mktemp -d /tmp/bmc-capture.XXXXXX)
SIM_PID=; DUMP_PID=
cleanup() {
  [ -n "$DUMP_PID" ] && kill "$DUMP_PID" 2>/dev/null || true
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null || true
  [ -n "$SIM_PID" ] && wait "$SIM_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# Chassis control: report power on so `chassis status` matches a live server.
cat > "$WORK/chassis-control" <<'SH'
#!/bin/sh
op=$2; shift 2
if [ "$op" = get ]; then
  for p in "$@"; do case $p in power) echo "power:1";; boot) echo "boot:default";; esac; done
fi
exit 0
SH
chmod +x "$WORK/chassis-control"

cat > "$WORK/lan.conf" <<CONF
name "capture"
set_working_mc 0x20
  startlan 1
    addr $ADDR 623
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid a123456789abcdefa123456789abcdef
  endlan
  chassis_control "$WORK/chassis-control 0x20"
  user 2 true "$ADMIN_USER" "$ADMIN_PASS" admin 10 none md2 md5 straight
  user 3 true "$PLAIN_USER" "$PLAIN_PASS" user 10 none md2 md5 straight
CONF

cat > "$WORK/sim.emu" <<'EMU'
mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
sel_enable 0x20 1000 0x0a
sensor_add 0x20 0 1 0x01 0x01
sensor_set_value 0x20 0 1 0x30 0
mc_enable 0x20
EMU

mkdir "$WORK/state"
ipmi_sim -n -c "$WORK/lan.conf" -f "$WORK/sim.emu" -s "$WORK/state" >"$WORK/sim.log" 2>&1 &
SIM_PID=$!
sleep 1
kill -0 "$SIM_PID" 2>/dev/null || { cat "$WORK/sim.log" >&2; echo "ipmi_sim did not start (is $ADDR:623 busy?)" >&2; exit 1; }

IPMITOOL_VERSION=$(ipmitool -V)
SIM_VERSION="openipmi $(dpkg-query -W -f '${Version}' openipmi 2>/dev/null || echo '?') (ipmi_sim)"
TSHARK_VERSION=$(tshark -v 2>/dev/null | head -1)

# capture NAME DESCRIPTION USERNAME PASSWORD CIPHER AUTHTYPE PRIV -- ipmitool args...
capture() {
  name=$1 desc=$2 user=$3 pass=$4 cipher=$5 authtype=$6 priv=$7; shift 8
  if [ -n "$ONLY" ] && ! echo " $ONLY " | grep -q " $name "; then return 0; fi
  pcap="$WORK/$name.pcap"
  # --immediate-mode: without it this kernel hands tcpdump nothing before SIGINT.
  tcpdump --immediate-mode -Z root -U -i lo -w "$pcap" "udp port 623 and host $ADDR" 2>"$WORK/tcpdump.log" &
  DUMP_PID=$!
  sleep 1
  # -E: password from IPMI_PASSWORD, never on the command line.
  if IPMI_PASSWORD=$pass ipmitool -H "$ADDR" -U "$user" -E "$@" >"$WORK/$name.out" 2>&1; then ok=1; else ok=0; fi
  sleep 0.5
  kill -INT "$DUMP_PID"; wait "$DUMP_PID" || true; DUMP_PID=
  if [ $ok = 0 ]; then echo "SKIP $name: ipmitool failed: $(tail -1 "$WORK/$name.out")" >&2; return 0; fi
  cmdline="ipmitool -H $ADDR -U $user -E $*"
  tshark -r "$pcap" -T fields -E separator=/t -e udp.dstport -e udp.payload -e _ws.col.Info 2>/dev/null \
  | NAME=$name DESC=$desc USERNAME=$user PASSWORD=$pass CIPHER=$cipher AUTHTYPE=$authtype PRIV=$priv \
    CMDLINE=$cmdline IPMITOOL_VERSION=$IPMITOOL_VERSION SIM_VERSION=$SIM_VERSION TSHARK_VERSION=$TSHARK_VERSION \
    OUTPUT_FILE="$WORK/$name.out" node "$REPO/scripts/capture-to-json.mjs" >"$OUT/$name.json"
  echo "wrote fixtures/captures/$name.json"
}

ONLY="${*:-}"
LP="-I lanplus"
capture lanplus-c3-mc-info "RMCP+ session, cipher suite 3 (HMAC-SHA1 / HMAC-SHA1-96 / AES-CBC-128), Get Device ID" \
  $ADMIN_USER $ADMIN_PASS 3 - ADMINISTRATOR -- $LP -C 3 -L ADMINISTRATOR mc info
capture lanplus-c3-chassis-status "RMCP+ session, cipher suite 3, Get Chassis Status (power on)" \
  $ADMIN_USER $ADMIN_PASS 3 - ADMINISTRATOR -- $LP -C 3 -L ADMINISTRATOR chassis status
capture lanplus-c3-user-mc-info "RMCP+ session, cipher suite 3, USER privilege requested by a USER-limited account" \
  $PLAIN_USER $PLAIN_PASS 3 - USER -- $LP -C 3 -L USER mc info
capture lanplus-c1-mc-info "RMCP+ session, cipher suite 1 (HMAC-SHA1, no integrity, no confidentiality), Get Device ID" \
  $ADMIN_USER $ADMIN_PASS 1 - ADMINISTRATOR -- $LP -C 1 -L ADMINISTRATOR mc info
capture lanplus-c2-mc-info "RMCP+ session, cipher suite 2 (HMAC-SHA1 / HMAC-SHA1-96, no confidentiality), Get Device ID" \
  $ADMIN_USER $ADMIN_PASS 2 - ADMINISTRATOR -- $LP -C 2 -L ADMINISTRATOR mc info
capture lanplus-c6-mc-info "RMCP+ session, cipher suite 6 (HMAC-MD5, no integrity, no confidentiality), Get Device ID" \
  $ADMIN_USER $ADMIN_PASS 6 - ADMINISTRATOR -- $LP -C 6 -L ADMINISTRATOR mc info
capture lanplus-c0-mc-info "RMCP+ session, cipher suite 0 (no authentication, integrity or confidentiality), Get Device ID" \
  $ADMIN_USER $ADMIN_PASS 0 - ADMINISTRATOR -- $LP -C 0 -L ADMINISTRATOR mc info
capture lan-md5-mc-info "IPMI 1.5 session, MD5 authentication, Get Device ID" \
  $ADMIN_USER $ADMIN_PASS - md5 ADMINISTRATOR -- -I lan -A MD5 -L ADMINISTRATOR mc info
capture lan-password-mc-info "IPMI 1.5 session, straight password authentication, Get Device ID" \
  $ADMIN_USER $ADMIN_PASS - password ADMINISTRATOR -- -I lan -A PASSWORD -L ADMINISTRATOR mc info
capture lan-none-mc-info "IPMI 1.5 session, authentication type none, Get Device ID" \
  $ADMIN_USER $ADMIN_PASS - none ADMINISTRATOR -- -I lan -A NONE -L ADMINISTRATOR mc info
