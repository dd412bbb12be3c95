#ifndef CIEL_LOG_H
#define CIEL_LOG_H

/* Logging: one line per event, "time level module [request-id] message". The level is
 * checked before formatting. Never log a token, password or secret. */

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_init(enum log_level level, const char *path); /* path NULL: stderr */
void log_close(void);
int log_parse_level(const char *s);                    /* -1 if unknown */
extern enum log_level log_min_level;

void log_write(enum log_level level, const char *module, const char *request_id,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define LOGM(level, rid, ...)                                                             \
	do {                                                                              \
		if ((level) >= log_min_level)                                             \
			log_write((level), LOG_MODULE, (rid), __VA_ARGS__);               \
	} while (0)

#define log_debug(...) LOGM(LOG_DEBUG, NULL, __VA_ARGS__)
#define log_info(...) LOGM(LOG_INFO, NULL, __VA_ARGS__)
#define log_warn(...) LOGM(LOG_WARN, NULL, __VA_ARGS__)
#define log_error(...) LOGM(LOG_ERROR, NULL, __VA_ARGS__)

#endif
