/* log.h: one line per event, key=value, to stderr. */
#ifndef LF_LOG_H
#define LF_LOG_H

enum lf_log_level { LF_LOG_DEBUG, LF_LOG_INFO, LF_LOG_WARN, LF_LOG_ERROR };

/* lf_log_init: name the program (prog=...) and the lowest level printed. */
void lf_log_init(const char *prog, enum lf_log_level min);
/* lf_log_device: on this thread, add dev=<dev> to every line (NULL: none). A process that runs many devices
 * (henbsim) names the one being served; dev must stay valid until the next call. */
void lf_log_device(const char *dev);
/* lf_log_level_parse: "debug|info|warn|error" -> level; -1 if unknown. */
int lf_log_level_parse(const char *s);

/* lf_log: `ts=... level=... prog=... event=<event> <fmt...>`. fmt carries the rest as key=value pairs.
 * Never pass credentials. */
void lf_log(enum lf_log_level level, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define lf_debug(ev, ...) lf_log(LF_LOG_DEBUG, ev, __VA_ARGS__)
#define lf_info(ev, ...) lf_log(LF_LOG_INFO, ev, __VA_ARGS__)
#define lf_warn(ev, ...) lf_log(LF_LOG_WARN, ev, __VA_ARGS__)
#define lf_error(ev, ...) lf_log(LF_LOG_ERROR, ev, __VA_ARGS__)

#endif
