#ifndef CIEL_UTIL_H
#define CIEL_UTIL_H

/* Small helpers every layer uses. Allocation failure aborts (as Redis and OVN do): callers
 * never test the result of x*alloc for NULL. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define BUG_ON(cond)                                                                     \
	do {                                                                             \
		if (cond)                                                                \
			util_bug(__FILE__, __LINE__, #cond);                             \
	} while (0)

void util_bug(const char *file, int line, const char *cond) __attribute__((noreturn));

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);                 /* NULL-safe: NULL gives NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Fills 'out' (33 bytes) with a random UUID4 as 32 lowercase hex digits, as Keystone's ids. */
void util_uuid_hex(char out[33]);
/* Fills 'out' (37 bytes) with a random UUID4 in canonical 8-4-4-4-12 form. */
void util_uuid(char out[37]);
/* A UUID4-shaped id from a per-thread generator seeded by OpenSSL: cheap, unique, not for
 * secrets (request ids). */
void util_uuid_fast(char out[37]);
/* Random bytes from OpenSSL; aborts if the generator fails. */
void util_random(void *buf, size_t size);

/* Wall clock in microseconds since the epoch. */
int64_t util_now_us(void);
/* ISO 8601 UTC as "2026-11-24T10:00:00.000000Z" (frac = 6) or without fraction (frac = 0). */
void util_iso8601(int64_t us, int frac, char out[32]);
/* Parses ISO 8601 UTC ("...Z" or "+00:00" or no zone, optional fraction); -1 if invalid. */
int util_parse_iso8601(const char *s, int64_t *us);

/* URL-safe base64 without or with padding; out must hold 4*((size+2)/3)+1 bytes. */
size_t util_b64url_encode(const void *in, size_t size, char *out, bool pad);
/* Decodes url-safe base64 with or without padding; returns decoded size or -1. */
long util_b64url_decode(const char *in, size_t len, unsigned char *out, size_t out_size);

/* Makes 's' valid UTF-8 in place, as JSON and jansson need it: each byte that starts no
 * valid sequence (stray continuation, overlong form, surrogate, above U+10FFFF) becomes '?',
 * and a sequence cut short by the end of the string (a truncated message) is dropped.
 * Returns true when 's' was valid already. */
bool util_utf8_scrub(char *s);
/* Is 's' valid UTF-8 (as util_utf8_scrub judges it)? */
bool util_utf8_valid(const char *s);

bool util_is_hex(const char *s, size_t len);
bool str_eq(const char *a, const char *b);     /* NULL-safe */
/* Parses "true"/"false"/"1"/"0" case-insensitively; -1 on anything else. */
int util_parse_bool(const char *s);

/* Writes 'data' to 'path' atomically (temp file, fsync, rename) with 'mode'. */
int util_write_file(const char *path, const void *data, size_t size, int mode);
/* Reads a whole small file (caller frees); NULL if unreadable. */
char *util_read_file(const char *path, size_t *size);
int util_mkdir_p(const char *path, int mode);

#endif
