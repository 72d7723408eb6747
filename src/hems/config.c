/* config.c: hemsd configuration keys and defaults. */
#include "hems/config.h"

#include <stdio.h>
#include <string.h>

#include "common/config.h"

static const struct lf_cfg_key lf__hems_keys[] = {
	LF_CFG_STR_KEY("hemsd.listen_address", struct hems_config, listen_address,
		       "address the HTTP server binds (CWMP and NBI)"),
	LF_CFG_INT_KEY("hemsd.listen_port", struct hems_config, listen_port, 0, 65535,
		       "TCP port (0 = any free port, printed at start)"),
	LF_CFG_STR_KEY("hemsd.cwmp_path", struct hems_config, cwmp_path, "URL path of the CWMP endpoint"),
	LF_CFG_STR_KEY("hemsd.store", struct hems_config, store, "store URL: sqlite:PATH"),
	LF_CFG_STR_KEY("hemsd.log_level", struct hems_config, log_level, "debug | info | warn | error"),
	LF_CFG_INT_KEY("hemsd.session_timeout", struct hems_config, session_timeout_s, 1, 3600,
		       "seconds an idle CWMP session is kept"),
	LF_CFG_INT_KEY("hemsd.max_sessions", struct hems_config, max_sessions, 1, 10000000,
		       "concurrent CWMP sessions before 503 + Retry-After"),
	LF_CFG_STR_KEY("nbi.token", struct hems_config, nbi_token,
		       "bearer token for the NBI and hemsctl (actor 'admin' in audits)"),
	LF_CFG_STR_KEY("nbi.tokens_file", struct hems_config, nbi_tokens_file,
		       "file of 'NAME TOKEN' lines: NM systems and operators, named in the case timelines"),
	LF_CFG_INT_KEY("connreq.timeout", struct hems_config, connreq_timeout_s, 1, 300,
		       "seconds an HTTP connection request may take"),
	LF_CFG_INT_KEY("connreq.udp_repeats", struct hems_config, connreq_udp_repeats, 1, 10,
		       "times a UDP connection request datagram is sent"),
	LF_CFG_BOOL_KEY("connreq.provision_credentials", struct hems_config, provision_cr_credentials,
			"at 0 BOOTSTRAP give each device its own ConnectionRequestUsername/Password"),
	LF_CFG_BOOL_KEY("provision.alarm_reporting", struct hems_config, provision_alarm_reporting,
			"at 0 BOOTSTRAP set security alarms to Expedited and the event tables' notification"),
	LF_CFG_BOOL_KEY("provision.golden_config", struct hems_config, provision_golden_config,
			"at 0 BOOTSTRAP apply the golden configuration of the device's product class"),
	LF_CFG_STR_KEY("hemsd.policy", struct hems_config, policy,
		       "remediation policy file (docs/policy.md); empty = the shipped default"),
	LF_CFG_STR_KEY("hemsd.file_base_url", struct hems_config, file_base_url,
		       "base URL of /files/ as devices see it (default http://listen_address:port)"),
	LF_CFG_STR_KEY("cwmp.auth", struct hems_config, auth,
		       "CPE authentication: none | digest | basic (TLS only) | cert (TLS client certificate)"),
	LF_CFG_STR_KEY("cwmp.realm", struct hems_config, auth_realm, "HTTP authentication realm"),
	LF_CFG_STR_KEY("tls.cert", struct hems_config, tls_cert, "PEM certificate: serve HTTPS when set"),
	LF_CFG_STR_KEY("tls.key", struct hems_config, tls_key, "PEM private key of tls.cert"),
	LF_CFG_STR_KEY("tls.client_ca", struct hems_config, tls_client_ca,
		       "PEM CA that signs device certificates (client certificate authentication)"),
};
#define LF_NKEYS (sizeof(lf__hems_keys) / sizeof(lf__hems_keys[0]))

void hems_config_defaults(struct hems_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen_address, sizeof(c->listen_address), "127.0.0.1");
	c->listen_port = 7547;
	snprintf(c->cwmp_path, sizeof(c->cwmp_path), "/cwmp");
	snprintf(c->store, sizeof(c->store), "sqlite:hems.db");
	snprintf(c->log_level, sizeof(c->log_level), "info");
	c->session_timeout_s = 30;
	c->max_sessions = 10000;
	c->connreq_timeout_s = 10;
	c->connreq_udp_repeats = 3;
	c->provision_cr_credentials = 1;
	c->provision_alarm_reporting = 1;
	c->provision_golden_config = 1;
	snprintf(c->auth, sizeof(c->auth), "none");
	snprintf(c->auth_realm, sizeof(c->auth_realm), "Lifeline HeMS");
}

int hems_config_load(struct hems_config *c, const char *path, char *err, size_t errlen)
{
	return lf_cfg_load(path, lf__hems_keys, LF_NKEYS, c, err, errlen);
}

int hems_config_set(struct hems_config *c, const char *assignment, char *err, size_t errlen)
{
	return lf_cfg_set(assignment, lf__hems_keys, LF_NKEYS, c, err, errlen);
}

void hems_config_print_keys(void)
{
	for (size_t i = 0; i < LF_NKEYS; i++)
		printf("  %-26s %s\n", lf__hems_keys[i].name, lf__hems_keys[i].help);
}
