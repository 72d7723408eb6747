/* config.c: henbd configuration keys and factory defaults; the data model's factory values come from here. */
#include "henb/config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/config.h"
#include "common/err.h"
#include "henb/limits.h"

#define K struct henb_config
static const struct lf_cfg_key lf__henb_keys[] = {
	LF_CFG_STR_KEY("henb.state_dir", K, state_dir, "directory of the persisted state henbd.state (written atomically)"),
	LF_CFG_STR_KEY("henb.device_dir", K, device_dir,
		       "platform HAL device directory (s1_link, rf_tx ... files, see docs/henb-hal.md); "
		       "\"\" = STATE_DIR/device"),
	LF_CFG_STR_KEY("henb.log_level", K, log_level, "debug | info | warn | error"),
	LF_CFG_INT_KEY("henb.hal_poll_ms", K, hal_poll_ms, 10, 3600000, "ms between two reads of the HAL sensors"),
	LF_CFG_STR_KEY("device.manufacturer", K, manufacturer, "DeviceInfo.Manufacturer"),
	LF_CFG_STR_KEY("device.oui", K, oui, "DeviceInfo.ManufacturerOUI (6 upper-case hex digits; names X_<OUI>_ objects)"),
	LF_CFG_STR_KEY("device.product_class", K, product_class, "DeviceInfo.ProductClass"),
	LF_CFG_STR_KEY("device.serial_number", K, serial_number, "DeviceInfo.SerialNumber"),
	LF_CFG_STR_KEY("device.hardware_version", K, hardware_version, "DeviceInfo.HardwareVersion"),
	LF_CFG_STR_KEY("device.software_version", K, software_version, "DeviceInfo.SoftwareVersion"),
	LF_CFG_STR_KEY("device.provisioning_code", K, provisioning_code, "DeviceInfo.ProvisioningCode (factory value)"),
	LF_CFG_STR_KEY("device.model_name", K, model_name, "DeviceInfo.ModelName"),
	LF_CFG_STR_KEY("device.description", K, description, "DeviceInfo.Description"),
	LF_CFG_STR_KEY("acs.url", K, acs_url, "ManagementServer.URL (factory value): the HeMS CWMP endpoint, http or https"),
	LF_CFG_STR_KEY("acs.username", K, acs_username, "ManagementServer.Username (HTTP auth to the HeMS)"),
	LF_CFG_STR_KEY("acs.password", K, acs_password, "ManagementServer.Password"),
	LF_CFG_STR_KEY("acs.ca_file", K, ca_file,
		       "PEM CA bundle that signs the HeMS certificate (https); \"\" = the system store"),
	LF_CFG_STR_KEY("acs.client_cert", K, client_cert, "PEM device certificate presented to the HeMS; \"\" = none"),
	LF_CFG_STR_KEY("acs.client_key", K, client_key, "PEM private key of acs.client_cert"),
	LF_CFG_BOOL_KEY("acs.periodic_inform_enable", K, periodic_inform_enable,
			"ManagementServer.PeriodicInformEnable"),
	LF_CFG_INT_KEY("acs.periodic_inform_interval", K, periodic_inform_interval, 1, 4294967295LL,
		       "ManagementServer.PeriodicInformInterval (s)"),
	LF_CFG_STR_KEY("acs.periodic_inform_time", K, periodic_inform_time,
		       "ManagementServer.PeriodicInformTime (dateTime phase; \"\" = Unknown Time, the CPE chooses)"),
	LF_CFG_INT_KEY("acs.retry_min_wait", K, retry_min_wait, 1, 65535,
		       "ManagementServer.CWMPRetryMinimumWaitInterval (s)"),
	LF_CFG_INT_KEY("acs.retry_multiplier", K, retry_multiplier, 1000, 65535,
		       "ManagementServer.CWMPRetryIntervalMultiplier (1/1000)"),
	LF_CFG_INT_KEY("acs.notification_throttle", K, notification_throttle, 0, 4294967295LL,
		       "ManagementServer.DefaultActiveNotificationThrottle (s since the end of the last session)"),
	LF_CFG_INT_KEY("acs.second_ms", K, second_ms, 1, 1000,
		       "milliseconds in one protocol second (1000; tests shorten every protocol timer)"),
	LF_CFG_INT_KEY("acs.http_timeout", K, http_timeout, 1, 3600, "seconds allowed for one HTTP exchange"),
	LF_CFG_BOOL_KEY("cr.enable", K, cr_enable, "ManagementServer.HTTPConnectionRequestEnable (factory value)"),
	LF_CFG_STR_KEY("cr.address", K, cr_address, "address the HTTP connection request listener binds"),
	LF_CFG_INT_KEY("cr.port", K, cr_port, 0, 65535, "its TCP port (7547 is customary); 0 = any free port, the real one is reported"),
	LF_CFG_STR_KEY("cr.path", K, cr_path, "URL path of ConnectionRequestURL"),
	LF_CFG_STR_KEY("cr.host", K, cr_host,
		       "host written in ConnectionRequestURL; \"\" = cr.address, or when that is a wildcard the "
		       "local address of the last HeMS connection"),
	LF_CFG_STR_KEY("cr.username", K, cr_username, "ManagementServer.ConnectionRequestUsername (factory value)"),
	LF_CFG_STR_KEY("cr.password", K, cr_password,
		       "ManagementServer.ConnectionRequestPassword (factory value); empty credentials refuse every "
		       "connection request"),
	LF_CFG_INT_KEY("cr.rate_limit", K, cr_rate_limit, 1, HENB_CR_RATE_WINDOW,
		       "connection requests (HTTP and UDP) accepted per minute; more get 503 or are dropped"),
	LF_CFG_BOOL_KEY("cr.udp_enable", K, udp_enable, "listen for UDP connection requests (TR-069 Annex G)"),
	LF_CFG_STR_KEY("cr.udp_address", K, udp_address, "address the UDP listener binds"),
	LF_CFG_INT_KEY("cr.udp_port", K, udp_port, 0, 65535,
		       "its UDP port; 0 = any free port (reported in UDPConnectionRequestAddress)"),
	LF_CFG_INT_KEY("cr.udp_ts_window", K, udp_ts_window, 0, 86400 * 365LL,
		       "s: a UDP request whose ts is further from our clock is dropped; 0 = no clock check"),
	LF_CFG_BOOL_KEY("fap.admin_state", K, fap_admin_state, "FAPControl.LTE.AdminState (factory value)"),
	LF_CFG_STR_KEY("fap.secgw1", K, fap_secgw1, "FAPControl.LTE.Gateway.SecGWServer1"),
	LF_CFG_STR_KEY("fap.secgw2", K, fap_secgw2, "FAPControl.LTE.Gateway.SecGWServer2"),
	LF_CFG_STR_KEY("fap.secgw3", K, fap_secgw3, "FAPControl.LTE.Gateway.SecGWServer3"),
	LF_CFG_STR_KEY("fap.s1_servers", K, fap_s1_servers,
		       "FAPControl.LTE.Gateway.S1SigLinkServerList: HeNB-GW / MME addresses, comma separated"),
	LF_CFG_INT_KEY("fap.s1_port", K, fap_s1_port, 0, 65535, "FAPControl.LTE.Gateway.S1SigLinkPort"),
	LF_CFG_INT_KEY("fap.earfcn_dl", K, fap_earfcn_dl, 0, 65535, "CellConfig.LTE.RAN.RF.EARFCNDL"),
	LF_CFG_INT_KEY("fap.earfcn_ul", K, fap_earfcn_ul, 0, 65535, "CellConfig.LTE.RAN.RF.EARFCNUL"),
	LF_CFG_INT_KEY("fap.band", K, fap_band, 1, 40, "CellConfig.LTE.RAN.RF.FreqBandIndicator"),
	LF_CFG_STR_KEY("fap.phy_cell_id", K, fap_phy_cell_id, "CellConfig.LTE.RAN.RF.PhyCellID (list of 0..503)"),
	LF_CFG_INT_KEY("fap.tac", K, fap_tac, 0, 65535, "CellConfig.LTE.EPC.TAC"),
	LF_CFG_INT_KEY("fap.cell_identity", K, fap_cell_identity, 0, 268435455, "CellConfig.LTE.RAN.Common.CellIdentity"),
	LF_CFG_STR_KEY("fap.plmn", K, fap_plmn, "PLMNID of CellConfig.LTE.EPC.PLMNList.1 (MCC+MNC); \"\" = no row"),
	LF_CFG_BOOL_KEY("distress.enable", K, distress_enable, "X_<OUI>_Distress.Enable (factory value)"),
	LF_CFG_STR_KEY("distress.url", K, distress_url, "X_<OUI>_Distress.ServerURL (factory value)"),
	LF_CFG_STR_KEY("distress.trigger_address", K, distress_trigger_address,
		       "address the distress trigger listener binds (UDP): the HeNB's address on the alternative "
		       "path, published in X_<OUI>_Distress.TriggerAddress; \"\" = no listener (no HeMS-initiated "
		       "distress)"),
	LF_CFG_INT_KEY("distress.trigger_port", K, distress_trigger_port, 0, 65535,
		       "X_<OUI>_Distress.TriggerPort (factory value); 0 = any free port (reported in TriggerAddress)"),
	LF_CFG_INT_KEY("distress.trigger_max_skew", K, distress_trigger_max_skew, 1, 86400,
		       "X_<OUI>_Distress.TriggerMaxSkew (s): accepted |ts - now| of a trigger when the clock is trusted"),
	LF_CFG_INT_KEY("distress.standard_retry_timeout", K, distress_standard_retry_timeout, 1, 86400,
		       "X_<OUI>_Distress.StandardRetryTimeout (s): the standard path is tried this long after a trigger"),
	LF_CFG_INT_KEY("distress.failed_session_threshold", K, distress_failed_threshold, 1, 1000,
		       "X_<OUI>_Distress.FailedSessionThreshold: failed sessions in a row (S1 up) before the HeNB opens a "
		       "distress session itself"),
	LF_CFG_INT_KEY("distress.max_retries", K, distress_max_retries, 1, 1000,
		       "X_<OUI>_Distress.MaxRetries: distress session attempts before the path counts as failed"),
	LF_CFG_INT_KEY("distress.retry_interval", K, distress_retry_interval, 1, 86400,
		       "X_<OUI>_Distress.RetryInterval (s) between attempts (randomised up to twice as long)"),
	LF_CFG_INT_KEY("distress.session_timeout", K, distress_session_timeout, 1, 86400,
		       "X_<OUI>_Distress.SessionTimeout (s) a distress session may last while it polls"),
	LF_CFG_INT_KEY("distress.request_timeout_ms", K, distress_request_timeout_ms, 100, 120000,
		       "ms one distress exchange may take, DTLS handshake and CoAP retransmissions included (it runs on "
		       "the distress thread; a stop waits for it at most this long)"),
	LF_CFG_BOOL_KEY("emergency.enable", K, emergency_enable,
			"emergency remediation (5.7.3.2) is available: when the distress path fails too, henbd starts it "
			"instead of shutting down"),
	LF_CFG_STR_KEY("emergency.url", K, emergency_url,
		       "CWMP URL of the emergency HeMS the failsafe image contacts; the protected record emergency_url "
		       "(factory) wins over it; \"\" = acs.url, the initial HeMS"),
	LF_CFG_INT_KEY("emergency.timeout", K, emergency_timeout, 1, 86400,
		       "s (protocol seconds) one failsafe boot may take, from the boot to the reboot into the new image; "
		       "then the HeNB shuts down"),
	LF_CFG_INT_KEY("emergency.tries", K, emergency_tries, 1, 100,
		       "failed sessions in a row with the emergency HeMS, and RequestDownloads answered without a "
		       "Download, before the HeNB shuts down"),
	LF_CFG_INT_KEY("emergency.boots", K, emergency_boots, 1, 100,
		       "failsafe boots (and requests for one) an emergency may take, power cuts and crashes included, "
		       "before the HeNB shuts down"),
	LF_CFG_STR_KEY("firmware.pubkey", K, fw_pubkey,
		       "trusted firmware public key file (henb-image keygen): every downloaded image and vendor "
		       "configuration file must be signed by it; \"\" = Downloads fail with 9010"),
	LF_CFG_STR_KEY("firmware.dev_dir", K, fw_dev_dir,
		       "boot device directory with slots/ and boot/ (as henb-boot --dev); \"\" = $LF_DEV_DIR, set by "
		       "henb-boot"),
	LF_CFG_STR_KEY("firmware.download_dir", K, fw_download_dir,
		       "where downloads are kept while they arrive (resumed after an interruption or a restart); "
		       "\"\" = STATE_DIR/download"),
	LF_CFG_INT_KEY("firmware.rate_limit", K, fw_rate_limit, 0, (long long)1 << 40,
		       "download speed limit in bytes per second, so a transfer leaves room for the service; 0 = none"),
	LF_CFG_INT_KEY("monitor.poll_ms", K, monitor_poll_ms, 0, 3600000,
		       "ms between two readings of the tamper sensors (case, antenna, clock, board, behaviour); 0 = "
		       "henb.hal_poll_ms"),
	LF_CFG_INT_KEY("monitor.debounce", K, monitor_debounce, 1, 16,
		       "equal sensor readings in a row before a tamper sensor's verdict counts (flapping inputs)"),
	LF_CFG_INT_KEY("monitor.sw_check_ms", K, monitor_sw_check_ms, 10, 86400000,
		       "ms between two verifications of the running image against its signed manifest"),
	LF_CFG_INT_KEY("monitor.config_check_ms", K, monitor_config_check_ms, 10, 86400000,
		       "ms between two checks of the state file against its MAC (it is also checked before every write)"),
	LF_CFG_STR_KEY("monitor.image_dir", K, monitor_image_dir,
		       "installed image (slot layout: .manifest, .signature, files) to verify when henbd runs without "
		       "henb-boot; under henb-boot the running slot is verified; "" = none (the sw check is off)"),
	LF_CFG_INT_KEY("monitor.clock_nominal_hz", K, monitor_clock_nominal_hz, 0, 4000000000000LL,
		       "nominal reference clock frequency in Hz; 0 = the frequency measured at first boot"),
	LF_CFG_INT_KEY("monitor.clock_tolerance_ppm", K, monitor_clock_tolerance_ppm, 0, 1000000,
		       "allowed distance of the measured reference clock from the nominal one, in ppm"),
	LF_CFG_INT_KEY("monitor.lan_burst", K, monitor_lan_burst, 1, 64,
		       "failed connection request authentications (HTTP Digest, UDP signature) within the event "
		       "window that raise the LAN attack alarm"),
	LF_CFG_INT_KEY("monitor.event_window", K, monitor_event_window, 1, 86400,
		       "s: window of the event detectors (authentication bursts, watchdog misses); the alarm clears "
		       "when a window passes without"),
	LF_CFG_STR_KEY("monitor.fatal", K, monitor_fatal,
		       "detections after which the HeNB reports and shuts itself down (5.7.2.3): \"default\" (the "
		       "alarm catalogue: antenna, clock, circuit), \"none\", or check names (sw, config, lan, "
		       "behaviour, clock, antenna, case, circuit)"),
	LF_CFG_INT_KEY("monitor.delivery_tries", K, monitor_delivery_tries, 1, 1000,
		       "failed sessions in a row, while a security alarm waits and the S1 link is up, before the "
		       "alarm counts as undeliverable and extended remediation starts"),
	LF_CFG_INT_KEY("monitor.fatal_report_timeout", K, monitor_fatal_report_timeout, 1, 86400,
		       "s a fatal alarm's report may take (InformResponse of its session) before the HeNB shuts down "
		       "anyway"),
};
#undef K
#define LF_NKEYS (sizeof(lf__henb_keys) / sizeof(lf__henb_keys[0]))

void henb_config_defaults(struct henb_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->state_dir, sizeof(c->state_dir), ".");
	snprintf(c->log_level, sizeof(c->log_level), "info");
	c->hal_poll_ms = 1000;
	snprintf(c->manufacturer, sizeof(c->manufacturer), "Lifeline");
	snprintf(c->oui, sizeof(c->oui), "00005A");
	snprintf(c->product_class, sizeof(c->product_class), "LifelineHeNB");
	snprintf(c->serial_number, sizeof(c->serial_number), "LL0000000001");
	snprintf(c->hardware_version, sizeof(c->hardware_version), "1.0");
	snprintf(c->software_version, sizeof(c->software_version), "0.1.0");
	snprintf(c->model_name, sizeof(c->model_name), "Lifeline HeNB");
	snprintf(c->description, sizeof(c->description), "Lifeline LTE femtocell (HeNB)");
	snprintf(c->acs_url, sizeof(c->acs_url), "http://127.0.0.1:7547/cwmp");
	c->periodic_inform_enable = 1;
	c->periodic_inform_interval = 3600;
	c->retry_min_wait = 5;
	c->retry_multiplier = 2000;
	c->notification_throttle = 0;
	c->second_ms = 1000;
	c->http_timeout = 30;
	c->cr_enable = 1;
	snprintf(c->cr_address, sizeof(c->cr_address), "127.0.0.1");
	c->cr_port = 0;
	snprintf(c->cr_path, sizeof(c->cr_path), "/");
	c->cr_rate_limit = 6;
	c->udp_enable = 1;
	snprintf(c->udp_address, sizeof(c->udp_address), "127.0.0.1");
	c->udp_port = 0;
	c->udp_ts_window = 300;
	c->fap_admin_state = 1;
	c->fap_s1_port = 36412;
	c->fap_earfcn_dl = 6300;
	c->fap_earfcn_ul = 24300;
	c->fap_band = 20;
	snprintf(c->fap_phy_cell_id, sizeof(c->fap_phy_cell_id), "1");
	c->fap_tac = 1;
	c->fap_cell_identity = 1;
	snprintf(c->fap_plmn, sizeof(c->fap_plmn), "00101");
	c->monitor_poll_ms = 0;
	c->monitor_debounce = 3;
	c->monitor_sw_check_ms = 300000;
	c->monitor_config_check_ms = 5000;
	c->monitor_clock_tolerance_ppm = 100;
	c->monitor_lan_burst = 5;
	c->monitor_event_window = 60;
	snprintf(c->monitor_fatal, sizeof(c->monitor_fatal), "default");
	c->monitor_delivery_tries = 3;
	c->distress_trigger_port = 5685;
	c->distress_trigger_max_skew = 300;
	c->distress_standard_retry_timeout = 60;
	c->distress_failed_threshold = 3;
	c->distress_max_retries = 5;
	c->distress_retry_interval = 30;
	c->distress_session_timeout = 300;
	c->distress_request_timeout_ms = 10000;
	c->emergency_timeout = 1800;
	c->emergency_tries = 3;
	c->emergency_boots = 3;
	c->monitor_fatal_report_timeout = 120;
}

int henb_config_load(struct henb_config *c, const char *path, char *err, size_t errlen)
{
	return lf_cfg_load(path, lf__henb_keys, LF_NKEYS, c, err, errlen);
}

int henb_config_set(struct henb_config *c, const char *assignment, char *err, size_t errlen)
{
	return lf_cfg_set(assignment, lf__henb_keys, LF_NKEYS, c, err, errlen);
}

int henb_config_check(const struct henb_config *c, char *err, size_t errlen)
{
	if (strlen(c->oui) != 6) {
		snprintf(err, errlen, "device.oui '%s' must be 6 upper-case hex digits", c->oui);
		return LF_EINVAL;
	}
	for (int i = 0; i < 6; i++)
		if (!isxdigit((unsigned char)c->oui[i]) || islower((unsigned char)c->oui[i])) {
			snprintf(err, errlen, "device.oui '%s' must be 6 upper-case hex digits", c->oui);
			return LF_EINVAL;
		}
	if (strncmp(c->acs_url, "http://", 7) != 0 && strncmp(c->acs_url, "https://", 8) != 0) {
		snprintf(err, errlen, "acs.url '%s' must be an http:// or https:// URL", c->acs_url);
		return LF_EINVAL;
	}
	if (c->emergency_url[0] && strncmp(c->emergency_url, "http://", 7) != 0 &&
	    strncmp(c->emergency_url, "https://", 8) != 0) {
		snprintf(err, errlen, "emergency.url '%s' must be an http:// or https:// URL", c->emergency_url);
		return LF_EINVAL;
	}
	if (c->cr_path[0] != '/') {
		snprintf(err, errlen, "cr.path '%s' must start with '/'", c->cr_path);
		return LF_EINVAL;
	}
	if (!c->serial_number[0]) {
		snprintf(err, errlen, "device.serial_number must not be empty");
		return LF_EINVAL;
	}
	if (c->client_key[0] && !c->client_cert[0]) {
		snprintf(err, errlen, "acs.client_key is set but acs.client_cert is not");
		return LF_EINVAL;
	}
	return LF_OK;
}

/* The value of a key in c, as text, for --help. */
static void lf__key_value(const struct lf_cfg_key *k, const struct henb_config *c, char *out, size_t outlen)
{
	const char *field = (const char *)c + k->offset;
	switch (k->type) {
	case LF_CFG_STR: snprintf(out, outlen, "%s", field); break;
	case LF_CFG_INT: {
		long long v;
		memcpy(&v, field, sizeof(v));
		snprintf(out, outlen, "%lld", v);
		break;
	}
	case LF_CFG_BOOL: {
		int v;
		memcpy(&v, field, sizeof(v));
		snprintf(out, outlen, "%s", v ? "true" : "false");
		break;
	}
	}
}

void henb_config_print_keys(FILE *f)
{
	struct henb_config d;
	char v[600];
	henb_config_defaults(&d);
	for (size_t i = 0; i < LF_NKEYS; i++) {
		lf__key_value(&lf__henb_keys[i], &d, v, sizeof(v));
		fprintf(f, "    %s = %s\n        %s\n", lf__henb_keys[i].name, v, lf__henb_keys[i].help);
	}
}
