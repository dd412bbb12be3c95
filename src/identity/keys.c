/* The Fernet key repositories, laid out as Keystone's: files named 0..N in one directory,
 * each the base64url of 32 random bytes. 0 is the staged key (next primary), the highest
 * number the primary (encrypts), the others secondaries (still decrypt). Two repositories
 * use this layout: the token keys (fernet-keys) and the credential keys (credential-keys),
 * which encrypt the secrets stored in the database and rotate on their own. Several API
 * nodes sharing a directory read each other's tokens and secrets. The running server
 * re-reads a directory when its mtime changes (checked at most once a second). */
#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
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

/* One loaded repository. */
struct keyring {
	const char *what; /* for the logs: "Fernet", "credential" */
	pthread_rwlock_t lock;
	unsigned char keys[MAX_KEYS][FERNET_KEY_SIZE]; /* keys[0] is the primary */
	int nkeys;
	char *dir;
	struct timespec mtime;
	int64_t checked_us;
};

static struct keyring token_ring = { .what = "Fernet", .lock = PTHREAD_RWLOCK_INITIALIZER };
static struct keyring cred_ring = { .what = "credential", .lock = PTHREAD_RWLOCK_INITIALIZER };

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

int ident_keys_promote(const char *dir, struct err *err)
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
	return write_new_key(dir, 0, err);
}

void ident_keys_prune(const char *dir, int max_active)
{
	int idx[MAX_KEYS];
	char path[4096];
	int n = list_keys(dir, idx, MAX_KEYS);

	/* keep max_active keys: the staged one (0), the newest secondaries, the primary */
	for (int i = 1; i <= n - max_active && i < n - 1; i++) {
		snprintf(path, sizeof(path), "%s/%d", dir, idx[i]);
		unlink(path);
	}
}

int ident_keys_rotate(const char *dir, int max_active, struct err *err)
{
	if (ident_keys_promote(dir, err) < 0)
		return -1;
	ident_keys_prune(dir, max_active);
	return 0;
}

static int load_locked(struct keyring *kr, const char *dir, struct err *err)
{
	int idx[MAX_KEYS];
	int n = list_keys(dir, idx, MAX_KEYS), loaded = 0;
	struct stat st;

	if (n <= 0)
		return err_set(err, ERR_INTERNAL, "no %s keys in %s", kr->what, dir);
	/* primary first (highest index), then the rest descending; 0 (staged) last */
	for (int i = n - 1; i >= 0; i--) {
		char path[4096], *text;
		snprintf(path, sizeof(path), "%s/%d", dir, idx[i]);
		text = util_read_file(path, NULL);
		if (text == NULL)
			continue;
		text[strcspn(text, "\r\n")] = '\0';
		if (util_b64url_decode(text, strlen(text), kr->keys[loaded], FERNET_KEY_SIZE) ==
		    FERNET_KEY_SIZE)
			loaded++;
		else
			log_warn("ignoring malformed key %s", path);
		explicit_bzero(text, strlen(text));
		free(text);
	}
	if (loaded == 0)
		return err_set(err, ERR_INTERNAL, "no valid %s keys in %s", kr->what, dir);
	kr->nkeys = loaded;
	if (stat(dir, &st) == 0)
		kr->mtime = st.st_mtim;
	return 0;
}

static int ring_load(struct keyring *kr, const char *dir, struct err *err)
{
	int rc;

	pthread_rwlock_wrlock(&kr->lock);
	free(kr->dir);
	kr->dir = xstrdup(dir);
	rc = load_locked(kr, dir, err);
	pthread_rwlock_unlock(&kr->lock);
	return rc;
}

static void ring_unload(struct keyring *kr)
{
	pthread_rwlock_wrlock(&kr->lock);
	explicit_bzero(kr->keys, sizeof(kr->keys));
	kr->nkeys = 0;
	free(kr->dir);
	kr->dir = NULL;
	pthread_rwlock_unlock(&kr->lock);
}

/* Re-reads the repository if its directory changed; looks at most once a second unless
 * 'now_please' (a value no loaded key decrypts may be from a key just written). */
static void maybe_reload(struct keyring *kr, bool now_please)
{
	int64_t now = util_now_us();
	struct stat st;

	if (kr->dir == NULL ||
	    (!now_please && now - __atomic_load_n(&kr->checked_us, __ATOMIC_RELAXED) < 1000000))
		return;
	__atomic_store_n(&kr->checked_us, now, __ATOMIC_RELAXED);
	if (stat(kr->dir, &st) < 0)
		return;
	pthread_rwlock_wrlock(&kr->lock);
	if (st.st_mtim.tv_sec != kr->mtime.tv_sec || st.st_mtim.tv_nsec != kr->mtime.tv_nsec) {
		struct err err = { 0 };
		if (load_locked(kr, kr->dir, &err) < 0)
			log_error("key reload failed: %s", err.msg);
		else
			log_info("reloaded %d %s keys", kr->nkeys, kr->what);
	}
	pthread_rwlock_unlock(&kr->lock);
}

int ident_keys_load(const char *dir, struct err *err)
{
	return ring_load(&token_ring, dir, err);
}

void ident_keys_unload(void)
{
	ring_unload(&token_ring);
}

char *ident_keys_encrypt(const void *payload, size_t size, uint64_t timestamp)
{
	char *token;

	maybe_reload(&token_ring, false);
	pthread_rwlock_rdlock(&token_ring.lock);
	BUG_ON(token_ring.nkeys == 0);
	token = fernet_encrypt(token_ring.keys[0], payload, size, timestamp);
	pthread_rwlock_unlock(&token_ring.lock);
	return token;
}

long ident_keys_decrypt(const char *token, unsigned char *out, size_t out_size,
			uint64_t *timestamp)
{
	long n;

	maybe_reload(&token_ring, false);
	pthread_rwlock_rdlock(&token_ring.lock);
	n = fernet_decrypt((const unsigned char(*)[FERNET_KEY_SIZE])token_ring.keys,
			   token_ring.nkeys, token, out, out_size, timestamp);
	pthread_rwlock_unlock(&token_ring.lock);
	return n;
}

/* ---- credential keys ---- */

int ident_credential_keys_load(const char *dir, struct err *err)
{
	return ring_load(&cred_ring, dir, err);
}

void ident_credential_keys_unload(void)
{
	ring_unload(&cred_ring);
}

/* SHA-256 of the key, in hex: names a key without revealing it. */
static void key_hash(const unsigned char key[FERNET_KEY_SIZE], char out[IDENT_KEY_HASH_SIZE])
{
	unsigned char md[32];
	unsigned int len = 0;

	BUG_ON(EVP_Digest(key, FERNET_KEY_SIZE, md, &len, EVP_sha256(), NULL) != 1);
	for (unsigned int i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

void ident_credential_primary_hash(char out[IDENT_KEY_HASH_SIZE])
{
	maybe_reload(&cred_ring, false);
	pthread_rwlock_rdlock(&cred_ring.lock);
	BUG_ON(cred_ring.nkeys == 0);
	key_hash(cred_ring.keys[0], out);
	pthread_rwlock_unlock(&cred_ring.lock);
}

char *ident_credential_encrypt(const char *plain, char hash[IDENT_KEY_HASH_SIZE])
{
	char *sealed;

	maybe_reload(&cred_ring, false);
	pthread_rwlock_rdlock(&cred_ring.lock);
	BUG_ON(cred_ring.nkeys == 0);
	sealed = fernet_encrypt(cred_ring.keys[0], plain, strlen(plain),
				(uint64_t)(util_now_us() / 1000000));
	key_hash(cred_ring.keys[0], hash);
	pthread_rwlock_unlock(&cred_ring.lock);
	return sealed;
}

char *ident_credential_decrypt(const char *sealed)
{
	size_t size = strlen(sealed); /* the plaintext is shorter than its base64 */
	unsigned char *out = xmalloc(size + 1);
	uint64_t ts;
	long n = -1;

	/* a value encrypted by another process with a key promoted since our last look */
	for (int attempt = 0; attempt < 2 && n < 0; attempt++) {
		maybe_reload(&cred_ring, attempt > 0);
		pthread_rwlock_rdlock(&cred_ring.lock);
		n = fernet_decrypt((const unsigned char(*)[FERNET_KEY_SIZE])cred_ring.keys,
				   cred_ring.nkeys, sealed, out, size, &ts);
		pthread_rwlock_unlock(&cred_ring.lock);
	}
	if (n < 0 || memchr(out, '\0', (size_t)n) != NULL) {
		free(out);
		return NULL;
	}
	out[n] = '\0';
	return (char *)out;
}
