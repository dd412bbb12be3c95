#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/util.h"

enum log_level log_min_level = LOG_INFO;
static FILE *log_file;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void log_init(enum log_level level, const char *path)
{
	log_min_level = level;
	if (path != NULL) {
		FILE *f = fopen(path, "ae");
		if (f != NULL) {
			setvbuf(f, NULL, _IOLBF, 0);
			log_file = f;
		}
	}
}

void log_close(void)
{
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
}

int log_parse_level(const char *s)
{
	static const char *names[] = { "debug", "info", "warning", "error" };

	for (int i = 0; i < (int)ARRAY_SIZE(names); i++)
		if (strcasecmp(s, names[i]) == 0)
			return i;
	if (strcasecmp(s, "warn") == 0)
		return LOG_WARN;
	return -1;
}

void log_write(enum log_level level, const char *module, const char *request_id,
	       const char *fmt, ...)
{
	static const char *names[] = { "DEBUG", "INFO", "WARNING", "ERROR" };
	char ts[32], msg[1024];
	va_list ap;
	FILE *out = log_file ? log_file : stderr;

	util_iso8601(util_now_us(), 1, ts);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* one entry, one line: a client's bytes (a path with %0A) must not forge entries */
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	pthread_mutex_lock(&log_lock);
	fprintf(out, "%s %s %s [%s] %s\n", ts, names[level], module,
		request_id ? request_id : "-", msg);
	pthread_mutex_unlock(&log_lock);
}
