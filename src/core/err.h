#ifndef CIEL_ERR_H
#define CIEL_ERR_H

/* Errors travel as a 'struct err' filled by the lowest layer that knows the cause. The
 * first cause wins: err_set() on an already-set err changes nothing, so rollback code may
 * reuse the same err. 'msg' is shown to the client: never put secrets in it. */

enum err_kind {
	ERR_NONE,
	ERR_BAD_REQUEST,
	ERR_UNAUTHORIZED,
	ERR_FORBIDDEN,
	ERR_NOT_FOUND,
	ERR_METHOD,
	ERR_CONFLICT,
	ERR_TOO_LARGE,
	ERR_UNSUPPORTED_MEDIA,
	ERR_GONE,             /* 410: deleted while it was being written */
	ERR_RANGE,            /* 416: a Range the resource cannot satisfy */
	ERR_OVER_LIMIT,
	ERR_UNAVAILABLE,
	ERR_NOT_IMPLEMENTED,
	ERR_INTERNAL,
};

struct err {
	enum err_kind kind;
	char msg[256];
};

/* Sets 'err' unless it is already set; always returns -1. */
int err_set(struct err *err, enum err_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* HTTP status and reason title for a kind. */
int err_status(enum err_kind kind);
const char *err_title(enum err_kind kind);

static inline void err_clear(struct err *err)
{
	err->kind = ERR_NONE;
	err->msg[0] = '\0';
}

#endif
