/* config.h: hemsd's configuration: defaults, the key table, loading with errors that name file and line. */
#ifndef LF_HEMS_CONFIG_H
#define LF_HEMS_CONFIG_H

#include <stddef.h>

struct hems_config {
	char listen_address[64];
	long long listen_port;
	char cwmp_path[128];
	char store[512];
	char log_level[16];
	long long session_timeout_s; /* idle time after which an open CWMP session is dropped */
	long long max_sessions;      /* concurrent CWMP sessions; above it new ones get 503 + Retry-After */
	char nbi_token[256];         /* bearer token of the northbound/CLI interface (actor "admin") */
	char nbi_tokens_file[512];   /* more tokens, one "NAME TOKEN" per line: NAME is the actor in audits */
	long long connreq_timeout_s; /* HTTP connection request timeout */
	long long connreq_udp_repeats;
	int provision_cr_credentials; /* set per-device ConnectionRequestUsername/Password at 0 BOOTSTRAP */
	int provision_alarm_reporting; /* at 0 BOOTSTRAP: security alarms Expedited, notification attributes */
	int provision_golden_config;   /* at 0 BOOTSTRAP: the golden configuration of the product class */
	char role[16];               /* serving | initial | emergency */
	char assignments[512];       /* initial role: file of assign rules (docs/operations.md) */
	char policy[512];            /* remediation policy file; "" = the shipped default */
	char file_base_url[256];     /* base URL devices use for /files/ ("" = http://listen_address:port) */
	/* CPE authentication (CPE -> HeMS) */
	char auth[16];               /* none | digest | basic | cert */
	char auth_realm[64];
	/* TLS */
	char tls_cert[512];
	char tls_key[512];
	char tls_client_ca[512];     /* CA of device certificates; with auth = cert a valid one is required */
	/* Northbound delivery (hems/outbox.c) */
	long long outbox_timeout_s;   /* one POST to a subscriber */
	long long outbox_retry_min_ms; /* first retry wait after a failed delivery; doubles up to retry_max */
	long long outbox_retry_max_s;
	char outbox_ca_file[512];     /* CAs trusted for https consumers ("" = the system's) */
	/* Higher-level measures (hems/enforcement.c): adapter none | exec | webhook, its command or URL */
	char enf_segw_blacklist[16];
	char enf_segw_blacklist_command[512];
	char enf_segw_blacklist_url[512];
	char enf_gw_block[16];
	char enf_gw_block_command[512];
	char enf_gw_block_url[512];
	char enf_subscriber_notify[16];
	char enf_subscriber_notify_command[512];
	char enf_subscriber_notify_url[512];
	long long enf_exec_timeout_s;
	char enf_on_blocked[256];     /* measures policy runs when a device is blocked, comma separated */
	char enf_on_awaiting[256];    /* ... when a fatal case awaits NM's instructions */
	char enf_on_no_communication[256]; /* ... when no communication with the device is possible */
	/* Distress channel (hems/distress_server.c, docs/protocol/distress-channel.md) */
	int distress_enable;               /* run the CoAP/DTLS distress server */
	char distress_listen_address[64];  /* UDP address it binds */
	long long distress_port;           /* UDP port (5684 = coaps) */
	char distress_server_url[256];     /* coaps:// URL given to devices ("" = coaps://listen address:port) */
	long long distress_trigger_repeats;      /* copies of one trigger datagram */
	long long distress_trigger_interval_ms;  /* between the copies */
	long long distress_session_timeout_s;    /* idle distress session forgotten after it */
	long long distress_poll_interval_s;      /* "poll again" hint while a case may still queue actions */
	int distress_provision_missing;    /* give keys to registered devices that have none */
};

/* hems_config_defaults: the values used when the file does not set a key. */
void hems_config_defaults(struct hems_config *c);
/* hems_config_load: apply the file at path (errors name path:line). */
int hems_config_load(struct hems_config *c, const char *path, char *err, size_t errlen);
/* hems_config_set: apply one "section.key=value" override. */
int hems_config_set(struct hems_config *c, const char *assignment, char *err, size_t errlen);
/* hems_config_print_keys: the documented key list, for --help. */
void hems_config_print_keys(void);

#endif
