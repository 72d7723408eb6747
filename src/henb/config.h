/* config.h: henbd's configuration: factory identity, the ACS to call, timers; errors name file and line. */
#ifndef LF_HENB_CONFIG_H
#define LF_HENB_CONFIG_H

#include <stddef.h>

struct henb_config {
	char state_dir[512];
	char log_level[16];
	/* Identity (DeviceInfo) */
	char manufacturer[65];
	char oui[8];
	char product_class[65];
	char serial_number[65];
	char hardware_version[65];
	char software_version[65];
	char provisioning_code[65];
	/* ManagementServer factory values */
	char acs_url[257];
	char acs_username[257];
	char acs_password[257];
	int periodic_inform_enable;
	long long periodic_inform_interval; /* s */
	long long retry_min_wait;           /* CWMPRetryMinimumWaitInterval, s */
	long long retry_multiplier;         /* CWMPRetryIntervalMultiplier, per mille */
	long long second_ms;                /* length of one protocol second in ms; 1000 except in tests */
	long long http_timeout;             /* s, per HTTP exchange */
};

void henb_config_defaults(struct henb_config *c);
int henb_config_load(struct henb_config *c, const char *path, char *err, size_t errlen);
int henb_config_set(struct henb_config *c, const char *assignment, char *err, size_t errlen);
void henb_config_print_keys(void);

#endif
