/* store.h: hemsd's storage interface; SQLite is the embedded default, PostgreSQL can follow behind the same calls. */
#ifndef LF_STORE_H
#define LF_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;

#define STORE_MAX_ID 200
#define STORE_MAX_SHORT 65
#define STORE_MAX_EVENTS 512
#define STORE_MAX_URL 257
#define STORE_MAX_ADDR 64

/* One registered device as the HeMS knows it. */
struct store_device {
	char device_id[STORE_MAX_ID]; /* canonical "OUI-ProductClass-SerialNumber", see store_device_id() */
	char manufacturer[STORE_MAX_SHORT];
	char oui[8];
	char product_class[STORE_MAX_SHORT];
	char serial_number[STORE_MAX_SHORT];
	char software_version[STORE_MAX_SHORT];
	char hardware_version[STORE_MAX_SHORT];
	char conn_req_url[STORE_MAX_URL];
	char last_events[STORE_MAX_EVENTS]; /* event codes of the last Inform, comma separated */
	char remote_addr[STORE_MAX_ADDR];
	int64_t first_seen;  /* unix seconds */
	int64_t last_inform; /* unix seconds */
	int64_t informs;     /* Informs received */
};

struct store_param {
	const char *name;
	const char *value;
	const char *type; /* xsi:type; NULL means xsd:string */
};

/* What an Inform tells the store: the device identity, events and parameter values. */
struct store_inform {
	const char *device_id;
	const char *manufacturer, *oui, *product_class, *serial_number;
	const char *software_version, *hardware_version, *conn_req_url; /* from the parameters; NULL if absent */
	const char *events; /* comma separated */
	const char *remote_addr;
	const struct store_param *params;
	size_t n_params;
	int64_t now; /* unix seconds */
};

/* store_open: open the store named by url ("sqlite:PATH", or a bare PATH) and bring its schema to the current
 * version (migrations run in one transaction). Caller owns *out (store_close). err names the problem. */
int store_open(const char *url, struct store **out, char *err, size_t errlen);
/* store_close: close and clear the caller's pointer. */
void store_close(struct store **s);

/* store_record_inform: upsert the device and its parameter cache from one Inform, atomically. */
int store_record_inform(struct store *s, const struct store_inform *in);
/* store_device_get: one device; LF_ENOTFOUND if unknown. */
int store_device_get(struct store *s, const char *device_id, struct store_device *out);
/* store_device_list: call cb for each device in device_id order; a non-zero return from cb stops and is returned. */
int store_device_list(struct store *s, int (*cb)(void *ctx, const struct store_device *d), void *ctx);
/* store_param_list: call cb for each cached parameter of a device whose name starts with prefix ("" for all). */
int store_param_list(struct store *s, const char *device_id, const char *prefix,
		     int (*cb)(void *ctx, const char *name, const char *value, const char *type, int64_t updated),
		     void *ctx);
/* store_schema_version: the schema version the open store is at. */
int store_schema_version(struct store *s);

/* store_device_id: the canonical id of a CWMP DeviceId into out: OUI-ProductClass-SerialNumber with every byte
 * outside [A-Za-z0-9._~] in ProductClass and SerialNumber written as %XX (so '-' cannot be ambiguous). */
int store_device_id(char *out, size_t outlen, const char *oui, const char *product_class, const char *serial);

#endif
