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
	LF_CFG_STR_KEY("hemsd.role", struct hems_config, role,
		       "serving | initial (hands devices to their serving HeMS) | emergency (re-images failsafe HeNBs)"),
	LF_CFG_STR_KEY("hemsd.assignments", struct hems_config, assignments,
		       "initial role: file of 'assign product_class=GLOB serial=GLOB url=URL [segw=] [s1=]' rules"),
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
	LF_CFG_INT_KEY("outbox.timeout", struct hems_config, outbox_timeout_s, 1, 300,
		       "seconds one notification POST to a subscriber may take"),
	LF_CFG_INT_KEY("outbox.retry_min_ms", struct hems_config, outbox_retry_min_ms, 10, 600000,
		       "first wait (ms) before redelivering to a failing subscriber; doubles each failure"),
	LF_CFG_INT_KEY("outbox.retry_max", struct hems_config, outbox_retry_max_s, 1, 3600,
		       "longest wait (s) between delivery attempts to a failing subscriber"),
	LF_CFG_STR_KEY("outbox.ca_file", struct hems_config, outbox_ca_file,
		       "PEM CAs trusted for https subscribers and webhooks (empty: the system's)"),
	LF_CFG_STR_KEY("enforcement.segw_blacklist", struct hems_config, enf_segw_blacklist,
		       "adapter of the SeGW blacklist measure: none | exec | webhook"),
	LF_CFG_STR_KEY("enforcement.segw_blacklist_command", struct hems_config, enf_segw_blacklist_command,
		       "exec adapter: program and arguments (no shell), JSON request on stdin"),
	LF_CFG_STR_KEY("enforcement.segw_blacklist_url", struct hems_config, enf_segw_blacklist_url,
		       "webhook adapter: URL POSTed to (retried through the outbox)"),
	LF_CFG_STR_KEY("enforcement.gw_block", struct hems_config, enf_gw_block,
		       "adapter of the HeNB-GW/MME block measure: none | exec | webhook"),
	LF_CFG_STR_KEY("enforcement.gw_block_command", struct hems_config, enf_gw_block_command,
		       "exec adapter of gw-block"),
	LF_CFG_STR_KEY("enforcement.gw_block_url", struct hems_config, enf_gw_block_url,
		       "webhook adapter of gw-block"),
	LF_CFG_STR_KEY("enforcement.subscriber_notify", struct hems_config, enf_subscriber_notify,
		       "adapter of the 'tell the subscriber to replace the HeNB' measure: none | exec | webhook"),
	LF_CFG_STR_KEY("enforcement.subscriber_notify_command", struct hems_config, enf_subscriber_notify_command,
		       "exec adapter of subscriber-notify"),
	LF_CFG_STR_KEY("enforcement.subscriber_notify_url", struct hems_config, enf_subscriber_notify_url,
		       "webhook adapter of subscriber-notify"),
	LF_CFG_INT_KEY("enforcement.exec_timeout", struct hems_config, enf_exec_timeout_s, 1, 3600,
		       "seconds an exec adapter may run before it is killed"),
	LF_CFG_STR_KEY("enforcement.on_blocked", struct hems_config, enf_on_blocked,
		       "measures run by policy when a device is blocked (comma separated)"),
	LF_CFG_STR_KEY("enforcement.on_awaiting_instructions", struct hems_config, enf_on_awaiting,
		       "measures run by policy when a fatal case awaits NM's instructions"),
	LF_CFG_STR_KEY("enforcement.on_no_communication", struct hems_config, enf_on_no_communication,
		       "measures run by policy when no communication with the device is possible"),
	LF_CFG_BOOL_KEY("distress.enable", struct hems_config, distress_enable,
			"run the distress channel server (CoAP over DTLS, per-device PSK; 5.7.3.1)"),
	LF_CFG_STR_KEY("distress.listen_address", struct hems_config, distress_listen_address,
		       "UDP address the distress server binds"),
	LF_CFG_INT_KEY("distress.port", struct hems_config, distress_port, 1, 65535,
		       "UDP port of the distress server (coaps)"),
	LF_CFG_STR_KEY("distress.server_url", struct hems_config, distress_server_url,
		       "coaps://HOST:PORT devices are given (empty: coaps://listen_address:port)"),
	LF_CFG_INT_KEY("distress.trigger_repeats", struct hems_config, distress_trigger_repeats, 1, 10,
		       "times a distress trigger datagram is sent"),
	LF_CFG_INT_KEY("distress.trigger_interval_ms", struct hems_config, distress_trigger_interval_ms, 0, 5000,
		       "milliseconds between the copies of a trigger"),
	LF_CFG_INT_KEY("distress.session_timeout", struct hems_config, distress_session_timeout_s, 10, 86400,
		       "seconds an idle distress session is kept"),
	LF_CFG_INT_KEY("distress.poll_interval", struct hems_config, distress_poll_interval_s, 0, 3600,
		       "seconds a device waits before polling again while its case may queue more (0: never)"),
	LF_CFG_BOOL_KEY("distress.provision_missing", struct hems_config, distress_provision_missing,
			"give distress keys to registered devices that have none, at their next session"),
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
	snprintf(c->role, sizeof(c->role), "serving");
	c->provision_cr_credentials = 1;
	c->provision_alarm_reporting = 1;
	c->provision_golden_config = 1;
	snprintf(c->auth, sizeof(c->auth), "none");
	snprintf(c->auth_realm, sizeof(c->auth_realm), "Lifeline HeMS");
	c->outbox_timeout_s = 10;
	c->outbox_retry_min_ms = 1000;
	c->outbox_retry_max_s = 60;
	snprintf(c->enf_segw_blacklist, sizeof(c->enf_segw_blacklist), "none");
	snprintf(c->enf_gw_block, sizeof(c->enf_gw_block), "none");
	snprintf(c->enf_subscriber_notify, sizeof(c->enf_subscriber_notify), "none");
	c->enf_exec_timeout_s = 30;
	snprintf(c->distress_listen_address, sizeof(c->distress_listen_address), "0.0.0.0");
	c->distress_port = 5684;
	c->distress_trigger_repeats = 3;
	c->distress_trigger_interval_ms = 200;
	c->distress_session_timeout_s = 300;
	c->distress_poll_interval_s = 10;
	c->distress_provision_missing = 1;
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
