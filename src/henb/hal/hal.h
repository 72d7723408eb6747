/* hal.h: the HeNB's body: every physical fact and action goes through this small interface, so a vendor
 * ports one file. hal_file.c is the default Linux implementation on a device directory (like sysfs); see
 * docs/henb-hal.md for its files. */
#ifndef LF_HENB_HAL_H
#define LF_HENB_HAL_H

#include <stdbool.h>
#include <stddef.h>

struct henb_hal;

/* Exit statuses the launcher (henb-boot, LF_BOOT_SLOT set) understands. */
#define HENB_HAL_EXIT_REBOOT 10
#define HENB_HAL_EXIT_SHUTDOWN 11

/* Sensors read as short text; the integrity monitor (monitor.c, detect_*.c) compares them with their
 * provisioned references. */
enum henb_hal_sensor {
	HENB_HAL_S1_LINK,     /* "up" | "down": SCTP association to the HeNB-GW / MME */
	HENB_HAL_CASE,        /* "closed" | "open": case switch */
	HENB_HAL_ANTENNA_ID,  /* antenna identity as read from the connector */
	HENB_HAL_CLOCK_HZ,    /* reference clock frequency, decimal Hz */
	HENB_HAL_BOARD_ID,    /* board / circuit fingerprint */
	HENB_HAL_WATCHDOG_MISSES, /* decimal count of watchdog kicks the platform saw missed (optional) */
	HENB_HAL_SENSOR_COUNT
};

/* Lists the behaviour detector compares: tokens separated by blanks, commas or newlines. Listeners are
 * "tcp:PORT" / "udp:PORT", processes their names (comm). */
enum henb_hal_list {
	HENB_HAL_LISTENERS,         /* listening sockets now */
	HENB_HAL_LISTENERS_ALLOWED, /* the platform's allowed listeners (factory) */
	HENB_HAL_PROCESSES,         /* processes running now */
	HENB_HAL_PROCESSES_ALLOWED, /* the platform's allowed processes (factory) */
	/* Test hooks playing compromised firmware: "NAME VALUE" lines: after the HeMS sets NAME the device silently
	 * puts VALUE back (so the read-back differs). "stuck_until_boot" is removed at every boot (a reboot cures
	 * it); "stuck" survives reboots and is removed by a factory reset. */
	HENB_HAL_STUCK_UNTIL_BOOT,
	HENB_HAL_STUCK,
	HENB_HAL_LIST_COUNT
};

/* henb_hal_open: the HAL on device_dir (created if missing, with the defaults of docs/henb-hal.md for missing
 * files). Caller owns *out (henb_hal_close). LF_OK or LF_EIO with the reason in err. */
int henb_hal_open(struct henb_hal **out, const char *device_dir, char *err, size_t errlen);
void henb_hal_close(struct henb_hal **hp);
/* henb_hal_stuck_value: whether a stuck test hook holds name; its forced value into out. */
bool henb_hal_stuck_value(struct henb_hal *h, const char *name, char *out, size_t outlen);
/* henb_hal_list_remove: delete list l (boot for HENB_HAL_STUCK_UNTIL_BOOT, factory reset for HENB_HAL_STUCK). */
void henb_hal_list_remove(struct henb_hal *h, enum henb_hal_list l);

/* henb_hal_read: a sensor's current text (first line) into out. LF_OK; LF_ENOTFOUND (out "") when the sensor
 * is absent (the platform has none, or it was removed); LF_EIO when it cannot be read. */
int henb_hal_read(struct henb_hal *h, enum henb_hal_sensor s, char *out, size_t outlen);
/* henb_hal_read_list: a list's tokens, one per line, into out (cut at outlen). LF_ENOTFOUND when the platform
 * does not report it, LF_EIO when it cannot be read. */
int henb_hal_read_list(struct henb_hal *h, enum henb_hal_list l, char *out, size_t outlen);
/* henb_hal_proc_net_listeners: the listening sockets in a /proc/net/{tcp,tcp6,udp,udp6} text (proto "tcp" or
 * "udp"), appended to out as "proto:PORT" lines without duplicates (tcp: LISTEN state; udp: every bound
 * socket). LF_OK, LF_EPARSE for a text that is not such a table, LF_ETOOBIG when out is full. */
int henb_hal_proc_net_listeners(const char *text, const char *proto, char *out, size_t outlen);

/* Protected storage (a secure element, fuses, a write-protected partition): small named records that survive
 * a factory reset: the device key, the provisioned identities, the fatal shutdown latch. Names are
 * [a-z0-9_]. */
/* henb_hal_protected_read: the record's text into out (NUL-terminated, LF_ETOOBIG if it does not fit);
 * LF_ENOTFOUND when absent. */
int henb_hal_protected_read(struct henb_hal *h, const char *name, char *out, size_t outlen);
/* henb_hal_protected_write: replace the record atomically. */
int henb_hal_protected_write(struct henb_hal *h, const char *name, const char *text);
/* henb_hal_protected_remove: delete the record (LF_OK if it was absent). */
int henb_hal_protected_remove(struct henb_hal *h, const char *name);
/* henb_hal_s1_link: whether the S1 link is up. */
bool henb_hal_s1_link(struct henb_hal *h);
/* henb_hal_set_rf_tx: switch the RF transmitter on or off. */
int henb_hal_set_rf_tx(struct henb_hal *h, bool on);

/* henb_hal_factory_reset: forget what the platform keeps besides henbd's state file. */
void henb_hal_factory_reset(struct henb_hal *h);
/* henb_hal_reboot: restart the device, called by main after henbd persisted everything and released every
 * resource. Under the launcher (LF_BOOT_SLOT set) it returns HENB_HAL_EXIT_REBOOT for main to exit with;
 * otherwise it re-executes henbd (/proc/self/exe, same argv), so a plain process really reboots, and
 * returns 1 only if that failed. */
int henb_hal_reboot(char *const argv[]);
/* henb_hal_shutdown: power off: the exit status for main (11; the launcher does not restart it). */
int henb_hal_shutdown(void);

#endif
