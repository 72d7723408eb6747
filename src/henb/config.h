/* config.h: henbd's configuration: factory identity and data model defaults, the ACS to call, the connection
 * request listeners, timers. Errors name the file and line. */
#ifndef LF_HENB_CONFIG_H
#define LF_HENB_CONFIG_H

#include <stddef.h>
#include <stdio.h>

struct henb_config {
	/* [henb] the process */
	char state_dir[512];
	char device_dir[512];
	char log_level[16];
	long long hal_poll_ms;
	/* [device] identity (DeviceInfo) */
	char manufacturer[65];
	char oui[8];
	char product_class[65];
	char serial_number[65];
	char hardware_version[65];
	char software_version[65];
	char provisioning_code[65];
	char model_name[65];
	char description[257];
	/* [acs] ManagementServer factory values and the management path */
	char acs_url[257];
	char acs_username[257];
	char acs_password[257];
	char ca_file[512];
	char client_cert[512];
	char client_key[512];
	int periodic_inform_enable;
	long long periodic_inform_interval; /* s */
	char periodic_inform_time[32];      /* dateTime phase reference; "" = the CPE chooses */
	long long retry_min_wait;           /* CWMPRetryMinimumWaitInterval, s */
	long long retry_multiplier;         /* CWMPRetryIntervalMultiplier, per mille */
	long long notification_throttle;    /* DefaultActiveNotificationThrottle, s */
	long long second_ms;                /* length of one protocol second in ms; 1000 except in tests */
	long long http_timeout;             /* s, per HTTP exchange */
	/* [cr] connection request listeners */
	int cr_enable;                      /* HTTPConnectionRequestEnable */
	char cr_address[64];
	long long cr_port;
	char cr_path[64];
	char cr_host[256];                  /* host written in ConnectionRequestURL; "" = derived */
	char cr_username[257];
	char cr_password[257];
	long long cr_rate_limit;            /* accepted connection requests per minute, HTTP and UDP together */
	int udp_enable;
	char udp_address[64];
	long long udp_port;
	long long udp_ts_window;            /* s: accepted distance of a UDP request's ts from our clock; 0 = off */
	/* [fap] FAPService.1 factory values */
	int fap_admin_state;
	char fap_secgw1[65];
	char fap_secgw2[65];
	char fap_secgw3[65];
	char fap_s1_servers[257];
	long long fap_s1_port;
	long long fap_earfcn_dl;
	long long fap_earfcn_ul;
	long long fap_band;
	char fap_phy_cell_id[65];
	long long fap_tac;
	long long fap_cell_identity;
	char fap_plmn[8];
	/* [distress] the distress client (distress.c): X_<OUI>_Distress. factory values and its local settings */
	int distress_enable;
	char distress_url[257];
	char distress_trigger_address[64];  /* address the trigger listener binds (the alternative path) */
	long long distress_trigger_port;    /* TriggerPort factory value; 0 = any free port */
	long long distress_trigger_max_skew;      /* TriggerMaxSkew, s */
	long long distress_standard_retry_timeout;/* StandardRetryTimeout, s (protocol seconds) */
	long long distress_failed_threshold;      /* FailedSessionThreshold */
	long long distress_max_retries;           /* MaxRetries */
	long long distress_retry_interval;        /* RetryInterval, s (protocol seconds) */
	long long distress_session_timeout;       /* SessionTimeout, s (protocol seconds) */
	long long distress_request_timeout_ms;    /* one CoAP exchange (DTLS handshake included) */
	/* [emergency] emergency remediation (5.7.3.2), the hook the distress client calls when its path fails too */
	int emergency_enable;
	char emergency_url[257];            /* emergency HeMS; "" = protected emergency_url, else acs.url */
	long long emergency_timeout;        /* s (protocol seconds) one failsafe boot may take */
	long long emergency_tries;          /* failed emergency sessions / answers without a Download */
	long long emergency_boots;          /* failsafe boots per emergency */
	/* [firmware] signed images and the A/B slots (Download, download.c) */
	char fw_pubkey[512];                /* trusted Ed25519 public key file; "" = every Download fails (9010) */
	char fw_dev_dir[512];               /* boot device directory (slots/, boot/); "" = $LF_DEV_DIR */
	char fw_download_dir[512];          /* partial and complete downloads; "" = STATE_DIR/download */
	long long fw_rate_limit;            /* download bytes per second; 0 = unlimited */
	/* [monitor] the integrity monitor (tamper detection, monitor.c) and fatal breach (breach.c) */
	long long monitor_poll_ms;          /* sensor detectors; 0 = henb.hal_poll_ms */
	long long monitor_debounce;         /* equal readings in a row for a sensor verdict */
	long long monitor_sw_check_ms;      /* verification of the running image */
	long long monitor_config_check_ms;  /* MAC of the state file */
	char monitor_image_dir[512];        /* image to verify without henb-boot; "" = none */
	long long monitor_clock_nominal_hz; /* 0 = provisioned at first boot */
	long long monitor_clock_tolerance_ppm;
	long long monitor_lan_burst;        /* failed authentications in the event window that make an attack */
	long long monitor_event_window;     /* s (protocol seconds) */
	char monitor_fatal[128];            /* "default" | "none" | check names */
	long long monitor_delivery_tries;   /* failed sessions (S1 up) before an alarm counts as undeliverable */
	long long monitor_fatal_report_timeout; /* s (protocol seconds) a fatal alarm's report may take */
};

/* HENB_CFG(field): how a data model parameter names its factory default in struct henb_config (0 = none). */
#define HENB_CFG(field) ((int)offsetof(struct henb_config, field) + 1)

void henb_config_defaults(struct henb_config *c);
int henb_config_load(struct henb_config *c, const char *path, char *err, size_t errlen);
int henb_config_set(struct henb_config *c, const char *assignment, char *err, size_t errlen);
/* henb_config_check: cross-field consistency (OUI shape, URL scheme, ...); LF_EINVAL with the reason. */
int henb_config_check(const struct henb_config *c, char *err, size_t errlen);
/* henb_config_print_keys: every key with its default and help, for --help. */
void henb_config_print_keys(FILE *f);

#endif
