#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>

#include "core/util.h"

int err_set(struct err *err, enum err_kind kind, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || err->kind != ERR_NONE)
		return -1;
	err->kind = kind;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* the message may quote a client's bytes and be cut at any byte: every error
	 * renderer gets valid UTF-8, whatever the client sent */
	util_utf8_scrub(err->msg);
	return -1;
}

static const struct {
	int status;
	const char *title;
} kinds[] = {
	[ERR_NONE] = { 200, "OK" },
	[ERR_BAD_REQUEST] = { 400, "Bad Request" },
	[ERR_UNAUTHORIZED] = { 401, "Unauthorized" },
	[ERR_FORBIDDEN] = { 403, "Forbidden" },
	[ERR_NOT_FOUND] = { 404, "Not Found" },
	[ERR_METHOD] = { 405, "Method Not Allowed" },
	[ERR_CONFLICT] = { 409, "Conflict" },
	[ERR_TOO_LARGE] = { 413, "Request Entity Too Large" },
	[ERR_UNSUPPORTED_MEDIA] = { 415, "Unsupported Media Type" },
	[ERR_GONE] = { 410, "Gone" },
	[ERR_RANGE] = { 416, "Requested Range Not Satisfiable" },
	[ERR_OVER_LIMIT] = { 413, "Request Entity Too Large" },
	[ERR_UNAVAILABLE] = { 503, "Service Unavailable" },
	[ERR_NOT_IMPLEMENTED] = { 501, "Not Implemented" },
	[ERR_INTERNAL] = { 500, "Internal Server Error" },
};

int err_status(enum err_kind kind)
{
	return kinds[kind].status;
}

const char *err_title(enum err_kind kind)
{
	return kinds[kind].title;
}
