/* monitor.h: the integrity monitor (procedure 5.7.1, HeNB side): the tamper detectors of detect_*.c, read at
 * boot and then on their timers or on events, debounced, and turned into security alarms through FaultMgmt
 * (henb_fm_raise / henb_fm_clear) with the texts of the shared catalogue (src/alarm/catalogue.h). */
#ifndef LF_HENB_MONITOR_H
#define LF_HENB_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alarm/catalogue.h"
#include "firmware/key.h"
#include "henb/faultmgmt.h"

struct henb_hal;
struct henb_dm;

/* The checks, in the order of the self test's Results (docs/policy.md check names). */
enum henb_check {
	HENB_CHECK_SW,        /* "sw": running image against its signed manifest */
	HENB_CHECK_CONFIG,    /* "config": MAC over the persisted configuration */
	HENB_CHECK_LAN,       /* "lan": bursts of failed authentications on the connection request listeners */
	HENB_CHECK_BEHAVIOUR, /* "behaviour": unexpected listening sockets or processes, watchdog misses */
	HENB_CHECK_CLOCK,     /* "clock": reference clock frequency within tolerance of the nominal one */
	HENB_CHECK_ANTENNA,   /* "antenna": antenna identity equals the provisioned one */
	HENB_CHECK_CASE,      /* "case": enclosure switch closed */
	HENB_CHECK_CIRCUIT,   /* "circuit": board fingerprint equals the provisioned one */
	HENB_CHECK_COUNT
};

/* What one reading of a detector says. */
enum henb_verdict {
	HENB_V_OK = 0,     /* the input is as provisioned */
	HENB_V_TAMPER,     /* tampering seen: the detector's alarm */
	HENB_V_UNREADABLE, /* the input cannot be read: the sensor-failure alarm (the detector's own alarm stays) */
	HENB_V_OFF,        /* nothing to check on this platform or configuration (no alarm, the self test fails it) */
	HENB_V_NONE,       /* no stable reading yet (debounce) */
};

#define HENB_MON_TEXT 200   /* bytes of a reading's detail / info (AdditionalText is 256) */
#define HENB_MON_LAN_MAX 64 /* failed authentications remembered for the burst detector */
#define HENB_MON_MAX_DEBOUNCE 16

struct henb_reading {
	enum henb_verdict verdict;
	char detail[HENB_MON_TEXT]; /* what was seen, in words: AdditionalText and the self test's vendor entry */
	char info[HENB_MON_TEXT];   /* the facts as key=value: AdditionalInformation */
};

/* A debounced input: the stable verdict changes after n equal readings in a row (flapping inputs). */
struct henb_debounce {
	uint8_t stable;    /* enum henb_verdict; HENB_V_NONE until n equal readings came */
	uint8_t candidate; /* the verdict being counted */
	uint8_t count;
	uint8_t n;
};

/* henb_debounce_init: n equal readings (1..HENB_MON_MAX_DEBOUNCE) make a verdict stable. */
void henb_debounce_init(struct henb_debounce *d, unsigned n);
/* henb_debounce_feed: one reading; true when the stable verdict changed (then d->stable is the new one). */
bool henb_debounce_feed(struct henb_debounce *d, enum henb_verdict v);

/* The monitor's settings (from the [monitor] keys of henbd's configuration; times in ms). */
struct henb_monitor_cfg {
	char state_path[600];      /* henbd.state: the persisted configuration the MAC covers */
	char image_dir[512];       /* a slot-like image directory to verify when not under henb-boot; "" = none */
	char fw_pub_key[512];      /* trusted firmware public key file (henb-image keygen) */
	char boot_dev[512];        /* LF_DEV_DIR from the launcher ("" when not under henb-boot) */
	char boot_slot[16];        /* LF_BOOT_SLOT from the launcher */
	int64_t poll_ms;           /* sensor detectors (clock, antenna, case, circuit, behaviour, lan expiry) */
	int64_t sw_check_ms;       /* image verification */
	int64_t config_check_ms;   /* MAC of the state file */
	unsigned debounce;         /* equal readings in a row for a sensor verdict */
	uint64_t clock_nominal_hz; /* 0 = the frequency provisioned at first boot */
	unsigned clock_tolerance_ppm;
	unsigned lan_burst;      /* failed authentications within event_window_ms make a burst */
	int64_t event_window_ms; /* window of the event detectors: authentication bursts, watchdog misses */
	unsigned fatal_mask;     /* bit (1 << enum henb_check): the local policy classes the detection fatal */
};

/* What the monitor asks of its owner (the agent); callbacks may be NULL. */
struct henb_monitor_ops {
	void *ctx;
	/* fatal: a detection the local policy classes fatal was raised (5.7.2.3): report it, then shut down. */
	void (*fatal)(void *ctx, enum henb_check check, const char *reason);
	/* own_listeners: the agent's own listening sockets ("tcp:PORT udp:PORT"), always allowed. */
	void (*own_listeners)(void *ctx, char *out, size_t outlen);
};

/* One detector's bookkeeping. */
struct henb_det {
	struct henb_debounce db;
	struct henb_reading last;  /* the last reading */
	struct henb_reading shown; /* the reading that made the stable verdict */
	int64_t next_ms;           /* when it reads again */
};

struct henb_monitor {
	struct henb_monitor_cfg cfg;
	struct henb_monitor_ops ops;
	struct henb_hal *hal;
	struct henb_fm *fm; /* NULL until henb_monitor_attach */
	struct henb_dm *dm;
	struct henb_det det[HENB_CHECK_COUNT];
	bool booted;
	char sensor_failure[256]; /* AdditionalText of the raised sensor-failure alarm; "" when none */
	bool sensors_settled;     /* every detector had a stable verdict once (a clear from before a reboot done) */

	/* config: HMAC-SHA256 with the device key (protected storage) over the state file as last written */
	uint8_t key[32];
	char mac[65];        /* the state file as henbd last wrote it ("" = no file written yet) */
	char mac_next[65];   /* being written (between sealing and sealed) */
	bool config_latched; /* tampering seen; cleared by the next change through management */
	char config_why[HENB_MON_TEXT];
	bool wiped; /* factory reset: the state file is gone on purpose */

	/* provisioned identities (protected storage), recorded at first boot */
	char prov_antenna[128];
	char prov_board[128];
	uint64_t prov_clock_hz;

	/* sw */
	uint8_t pub[FW_KEY_LEN];
	bool have_pub;
	char slot_dir[600]; /* the running image; "" = none to verify */
	char sw_why[HENB_MON_TEXT];

	/* lan: times of the last failed authentications (ring) */
	int64_t lan_times[HENB_MON_LAN_MAX];
	unsigned lan_head, lan_n;
	uint64_t lan_total;
	int64_t lan_burst_ms; /* when the last burst was seen; -1 = never */
	char lan_via[16];

	/* behaviour: our own process name (always allowed); the platform watchdog's miss counter */
	char own_comm[32];
	unsigned long long wd_base;
	bool wd_have;
	int64_t wd_miss_ms; /* when the counter last grew; -1 = never */

	/* alarm delivery: events written to the Expedited / Queued rings vs those an InformResponse confirmed */
	uint64_t alarm_seq;
	uint64_t alarm_delivered;
	unsigned delivery_failures;
	bool extended_called;
};

/* henb_check_name: "sw", "config", ... ("" out of range). henb_check_parse: the inverse, -1 if unknown. */
const char *henb_check_name(enum henb_check c);
int henb_check_parse(const char *name);
/* henb_verdict_name: "ok", "tamper", "unreadable", "off", "none". */
const char *henb_verdict_name(enum henb_verdict v);
/* henb_monitor_fatal_parse: monitor.fatal: "default" (the catalogue's fatal_on_henb: antenna, clock, circuit),
 * "none", or a comma list of check names, into a mask. LF_OK or LF_EINVAL with the reason in err. */
int henb_monitor_fatal_parse(const char *text, unsigned *mask, char *err, size_t errlen);

/* henb_monitor_open: set up on the HAL before the agent reads its state file: the device key (made at first
 * boot), the provisioned identities, the trusted firmware key and running image, and the check of the state
 * file against its MAC (a change made while henbd was not running is caught here). LF_OK, or LF_EINVAL /
 * LF_EIO with the reason in err (an unreadable firmware key named in the configuration, a bad policy). */
int henb_monitor_open(struct henb_monitor *m, const struct henb_monitor_cfg *cfg, struct henb_hal *hal,
                      const struct henb_monitor_ops *ops, char *err, size_t errlen);
/* henb_monitor_attach: the FaultMgmt tables are ready: alarms can be raised. */
void henb_monitor_attach(struct henb_monitor *m, struct henb_fm *fm, struct henb_dm *dm);
/* henb_monitor_boot: every detector reads once (identities not provisioned yet are recorded now). */
void henb_monitor_boot(struct henb_monitor *m, int64_t now);
/* henb_monitor_run: the detectors that are due read; alarms are raised or cleared on stable changes. */
void henb_monitor_run(struct henb_monitor *m, int64_t now);
/* henb_monitor_deadline: when henb_monitor_run is due next (lf_now_ms clock). */
int64_t henb_monitor_deadline(const struct henb_monitor *m);

/* Events. */
/* henb_monitor_auth_failed: a connection request with bad credentials or signature (via "http" / "udp"). */
void henb_monitor_auth_failed(struct henb_monitor *m, const char *via, int64_t now);
/* henb_monitor_config_managed: the configuration changed through management (SetParameterValues, AddObject,
 * DeleteObject, a local API): a latched configuration alarm clears. */
void henb_monitor_config_managed(struct henb_monitor *m);
/* henb_monitor_state_sealing: henbd is about to replace the state file with data: the file on disk is checked
 * against the last MAC first (so a change behind henbd's back is not overwritten unseen), then the MAC of data
 * is recorded in protected storage next to the current one. henb_monitor_state_sealed: the write's outcome. */
void henb_monitor_state_sealing(struct henb_monitor *m, const char *data, size_t len);
void henb_monitor_state_sealed(struct henb_monitor *m, bool written);
/* henb_monitor_state_wiping: factory reset: the state file is removed on purpose. */
void henb_monitor_state_wiping(struct henb_monitor *m);

/* Delivery of the alarm events (the agent's sessions). */
/* henb_monitor_sensor_event: the platform signalled that an input changed (an interrupt from the case switch,
 * a connector event): the detector reads at the next henb_monitor_run instead of waiting for its period. */
void henb_monitor_sensor_event(struct henb_monitor *m, enum henb_check check, int64_t now);
/* henb_monitor_undelivered: events raised after the last Inform that got its InformResponse. */
bool henb_monitor_undelivered(const struct henb_monitor *m);
/* henb_monitor_delivered: the Inform built when alarm_seq was seq got its InformResponse. */
void henb_monitor_delivered(struct henb_monitor *m, uint64_t seq);
/* henb_monitor_delivery_failed: a session ended without InformResponse. While events wait and the S1 link is
 * up, the failures in a row are counted; true once per undelivered episode, when they reach tries: the alarm
 * delivery failed (the caller starts extended remediation). */
bool henb_monitor_delivery_failed(struct henb_monitor *m, bool s1_up, unsigned tries);

/* henb_monitor_selftest: run every check now, undebounced, for Device.SelfTestDiagnostics; out[c] gets each
 * verdict and detail; *sensors_ok tells whether every physical sensor could be read. */
void henb_monitor_selftest(struct henb_monitor *m, int64_t now, struct henb_reading out[HENB_CHECK_COUNT],
                           bool *sensors_ok);

/* henb_monitor_alarm: the FaultMgmt alarm of a catalogue kind (texts point into the catalogue). */
void henb_monitor_alarm(enum alarm_kind kind, struct henb_fm_alarm *al);

#endif
