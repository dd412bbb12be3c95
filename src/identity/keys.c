/* The Fernet key repository, laid out as Keystone's: files named 0..N in one directory,
 * each the base64url of 32 random bytes. 0 is the staged key (next primary), the highest
 * number the primary (signs new tokens), the others secondaries (still validate). Several
 * API nodes sharing the directory validate each other's tokens. The running server
 * re-reads the directory when its mtime changes (checked at most once a second). */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_MODULE "identity"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "identity/fernet.h"
#include "identity/identity.h"
#include "identity/identity_int.h"
#include "identity/keys.h"

#define MAX_KEYS 64

static pthread_rwlock_t keys_lock = PTHREAD_RWLOCK_INITIALIZER;
static unsigned char keys[MAX_KEYS][FERNET_KEY_SIZE]; /* keys[0] is the primary */
static int nkeys;
static char *keys_dir;
static struct timespec keys_mtime;
static int64_t keys_checked_us;

/* Reads the key numbers present in 'dir' into idx (sorted ascending); returns count. */
static int list_keys(const char *dir, int *idx, int max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL && n < max) {
		char *end;
		long v = strtol(e->d_name, &end, 10);
		if (e->d_name[0] == '\0' || *end != '\0' || v < 0 || v > 1000000)
			continue;
		idx[n++] = (int)v;
	}
	closedir(d);
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && idx[j - 1] > idx[j]; j--) {
			int t = idx[j];
			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	return n;
}

static int write_new_key(const char *dir, int index, struct err *err)
{
	unsigned char k[FERNET_KEY_SIZE];
	char text[64], path[4096];

	util_random(k, sizeof(k));
	util_b64url_encode(k, sizeof(k), text, true);
	explicit_bzero(k, sizeof(k));
	if ((size_t)snprintf(path, sizeof(path), "%s/%d", dir, index) >= sizeof(path))
		return err_set(err, ERR_INTERNAL, "key path too long");
	if (util_write_file(path, text, strlen(text), 0600) < 0)
		return err_set(err, ERR_INTERNAL, "cannot write key %s: %s", path,
			       strerror(errno));
	explicit_bzero(text, sizeof(text));
	return 0;
}

int ident_keys_setup(const char *dir, struct err *err)
{
	int idx[MAX_KEYS];
	int n;

	if (util_mkdir_p(dir, 0700) < 0)
		return err_set(err, ERR_INTERNAL, "cannot create %s: %s", dir, strerror(errno));
	n = list_keys(dir, idx, MAX_KEYS);
	if (n < 0)
		return err_set(err, ERR_INTERNAL, "cannot read %s: %s", dir, strerror(errno));
	if (n > 0)
		return 0;
	if (write_new_key(dir, 0, err) < 0 || write_new_key(dir, 1, err) < 0)
		return -1;
	return 0;
}

int ident_keys_rotate(const char *dir, int max_active, struct err *err)
{
	int idx[MAX_KEYS];
	char from[4096], to[4096];
	int n = list_keys(dir, idx, MAX_KEYS);

	if (n <= 0)
		return err_set(err, ERR_INTERNAL, "no key repository at %s", dir);
	/* the staged key becomes the primary, a new staged key is made */
	snprintf(from, sizeof(from), "%s/0", dir);
	snprintf(to, sizeof(to), "%s/%d", dir, idx[n - 1] + 1);
	if (rename(from, to) < 0)
		return err_set(err, ERR_INTERNAL, "cannot promote the staged key: %s",
			       strerror(errno));
	if (write_new_key(dir, 0, err) < 0)
		return -1;
	/* keep max_active keys: the staged one (0), the newest secondaries, the primary */
	n = list_keys(dir, idx, MAX_KEYS);
	for (int i = 1; i <= n - max_active && i < n - 1; i++) {
		snprintf(from, sizeof(from), "%s/%d", dir, idx[i]);
		unlink(from);
	}
	return 0;
}

static int load_locked(const char *dir, struct err *err)
{
	int idx[MAX_KEYS];
	int n = list_keys(dir, idx, MAX_KEYS), loaded = 0;
	struct stat st;

	if (n <= 0)
		return err_set(err, ERR_INTERNAL, "no Fernet keys in %s", dir);
	/* primary first (highest index), then the rest descending; 0 (staged) last */
	for (int i = n - 1; i >= 0; i--) {
		char path[4096], *text;
		snprintf(path, sizeof(path), "%s/%d", dir, idx[i]);
		text = util_read_file(path, NULL);
		if (text == NULL)
			continue;
		text[strcspn(text, "\r\n")] = '\0';
		if (util_b64url_decode(text, strlen(text), keys[loaded], FERNET_KEY_SIZE) ==
		    FERNET_KEY_SIZE)
			loaded++;
		else
			log_warn("ignoring malformed key %s", path);
		explicit_bzero(text, strlen(text));
		free(text);
	}
	if (loaded == 0)
		return err_set(err, ERR_INTERNAL, "no valid Fernet keys in %s", dir);
	nkeys = loaded;
	if (stat(dir, &st) == 0)
		keys_mtime = st.st_mtim;
	return 0;
}

int ident_keys_load(const char *dir, struct err *err)
{
	int rc;

	pthread_rwlock_wrlock(&keys_lock);
	free(keys_dir);
	keys_dir = xstrdup(dir);
	rc = load_locked(dir, err);
	pthread_rwlock_unlock(&keys_lock);
	return rc;
}

void ident_keys_unload(void)
{
	pthread_rwlock_wrlock(&keys_lock);
	explicit_bzero(keys, sizeof(keys));
	nkeys = 0;
	free(keys_dir);
	keys_dir = NULL;
	pthread_rwlock_unlock(&keys_lock);
}

static void maybe_reload(void)
{
	int64_t now = util_now_us();
	struct stat st;

	if (keys_dir == NULL || now - __atomic_load_n(&keys_checked_us, __ATOMIC_RELAXED) <
					  1000000)
		return;
	__atomic_store_n(&keys_checked_us, now, __ATOMIC_RELAXED);
	if (stat(keys_dir, &st) < 0)
		return;
	pthread_rwlock_wrlock(&keys_lock);
	if (st.st_mtim.tv_sec != keys_mtime.tv_sec || st.st_mtim.tv_nsec != keys_mtime.tv_nsec) {
		struct err err = { 0 };
		if (load_locked(keys_dir, &err) < 0)
			log_error("key reload failed: %s", err.msg);
		else
			log_info("reloaded %d Fernet keys", nkeys);
	}
	pthread_rwlock_unlock(&keys_lock);
}

char *ident_keys_encrypt(const void *payload, size_t size, uint64_t timestamp)
{
	char *token;

	maybe_reload();
	pthread_rwlock_rdlock(&keys_lock);
	BUG_ON(nkeys == 0);
	token = fernet_encrypt(keys[0], payload, size, timestamp);
	pthread_rwlock_unlock(&keys_lock);
	return token;
}

long ident_keys_decrypt(const char *token, unsigned char *out, size_t out_size,
			uint64_t *timestamp)
{
	long n;

	maybe_reload();
	pthread_rwlock_rdlock(&keys_lock);
	n = fernet_decrypt((const unsigned char(*)[FERNET_KEY_SIZE])keys, nkeys, token, out,
			   out_size, timestamp);
	pthread_rwlock_unlock(&keys_lock);
	return n;
}
