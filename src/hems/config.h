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
	char policy[512];            /* remediation policy file; "" = the shipped default */
	char file_base_url[256];     /* base URL devices use for /files/ ("" = http://listen_address:port) */
	/* CPE authentication (CPE -> HeMS) */
	char auth[16];               /* none | digest | basic | cert */
	char auth_realm[64];
	/* TLS */
	char tls_cert[512];
	char tls_key[512];
	char tls_client_ca[512];     /* CA of device certificates; with auth = cert a valid one is required */
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
