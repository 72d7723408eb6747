/* config.c: henbd configuration keys and factory defaults. */
#include "henb/config.h"

#include <stdio.h>
#include <string.h>

#include "common/config.h"

#define K struct henb_config
static const struct lf_cfg_key lf__henb_keys[] = {
	LF_CFG_STR_KEY("henb.state_dir", K, state_dir, "directory of the persisted state (written atomically)"),
	LF_CFG_STR_KEY("henb.log_level", K, log_level, "debug | info | warn | error"),
	LF_CFG_STR_KEY("device.manufacturer", K, manufacturer, "DeviceInfo.Manufacturer"),
	LF_CFG_STR_KEY("device.oui", K, oui, "DeviceInfo.ManufacturerOUI (6 hex digits)"),
	LF_CFG_STR_KEY("device.product_class", K, product_class, "DeviceInfo.ProductClass"),
	LF_CFG_STR_KEY("device.serial_number", K, serial_number, "DeviceInfo.SerialNumber"),
	LF_CFG_STR_KEY("device.hardware_version", K, hardware_version, "DeviceInfo.HardwareVersion"),
	LF_CFG_STR_KEY("device.software_version", K, software_version, "DeviceInfo.SoftwareVersion"),
	LF_CFG_STR_KEY("device.provisioning_code", K, provisioning_code, "DeviceInfo.ProvisioningCode"),
	LF_CFG_STR_KEY("acs.url", K, acs_url, "ManagementServer.URL: the HeMS CWMP endpoint"),
	LF_CFG_STR_KEY("acs.username", K, acs_username, "ManagementServer.Username (HTTP auth to the HeMS)"),
	LF_CFG_STR_KEY("acs.password", K, acs_password, "ManagementServer.Password"),
	LF_CFG_BOOL_KEY("acs.periodic_inform_enable", K, periodic_inform_enable,
			"ManagementServer.PeriodicInformEnable"),
	LF_CFG_INT_KEY("acs.periodic_inform_interval", K, periodic_inform_interval, 1, 4294967295LL,
		       "ManagementServer.PeriodicInformInterval (s)"),
	LF_CFG_INT_KEY("acs.retry_min_wait", K, retry_min_wait, 1, 65535,
		       "ManagementServer.CWMPRetryMinimumWaitInterval (s)"),
	LF_CFG_INT_KEY("acs.retry_multiplier", K, retry_multiplier, 1000, 65535,
		       "ManagementServer.CWMPRetryIntervalMultiplier (1/1000)"),
	LF_CFG_INT_KEY("acs.second_ms", K, second_ms, 1, 1000,
		       "milliseconds in one protocol second (1000; tests shorten the retry and periodic timers)"),
	LF_CFG_INT_KEY("acs.http_timeout", K, http_timeout, 1, 3600, "seconds allowed for one HTTP exchange"),
};
#undef K
#define LF_NKEYS (sizeof(lf__henb_keys) / sizeof(lf__henb_keys[0]))

void henb_config_defaults(struct henb_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->state_dir, sizeof(c->state_dir), ".");
	snprintf(c->log_level, sizeof(c->log_level), "info");
	snprintf(c->manufacturer, sizeof(c->manufacturer), "Lifeline");
	snprintf(c->oui, sizeof(c->oui), "00005A");
	snprintf(c->product_class, sizeof(c->product_class), "LifelineHeNB");
	snprintf(c->serial_number, sizeof(c->serial_number), "LL0000000001");
	snprintf(c->hardware_version, sizeof(c->hardware_version), "1.0");
	snprintf(c->software_version, sizeof(c->software_version), "0.1.0");
	snprintf(c->acs_url, sizeof(c->acs_url), "http://127.0.0.1:7547/cwmp");
	c->periodic_inform_enable = 1;
	c->periodic_inform_interval = 3600;
	c->retry_min_wait = 5;
	c->retry_multiplier = 2000;
	c->second_ms = 1000;
	c->http_timeout = 30;
}

int henb_config_load(struct henb_config *c, const char *path, char *err, size_t errlen)
{
	return lf_cfg_load(path, lf__henb_keys, LF_NKEYS, c, err, errlen);
}

int henb_config_set(struct henb_config *c, const char *assignment, char *err, size_t errlen)
{
	return lf_cfg_set(assignment, lf__henb_keys, LF_NKEYS, c, err, errlen);
}

void henb_config_print_keys(void)
{
	for (size_t i = 0; i < LF_NKEYS; i++)
		printf("  %-32s %s\n", lf__henb_keys[i].name, lf__henb_keys[i].help);
}
