/* Password hashing with bcrypt ($2b$) through libxcrypt, Keystone's default scheme. */
#include <crypt.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "core/err.h"
#include "core/util.h"
#include "identity/identity_int.h"

char *ident_hash_password(const char *password, struct err *err)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	char *hash = NULL;

	if (crypt_gensalt_rn("$2b$", (unsigned long)conf.password_hash_rounds, NULL, 0,
			     setting, sizeof(setting)) == NULL) {
		err_set(err, ERR_INTERNAL, "cannot hash the password");
		return NULL;
	}
	cd = xcalloc(1, sizeof(*cd));
	if (crypt_rn(password, setting, cd, sizeof(*cd)) != NULL && cd->output[0] != '*')
		hash = xstrdup(cd->output);
	else
		err_set(err, ERR_INTERNAL, "cannot hash the password");
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return hash;
}

bool ident_check_password(const char *password, const char *hash)
{
	struct crypt_data *cd;
	bool ok = false;

	if (password == NULL || hash == NULL || strncmp(hash, "$2", 2) != 0)
		return false;
	cd = xcalloc(1, sizeof(*cd));
	if (crypt_rn(password, hash, cd, sizeof(*cd)) != NULL) {
		size_t n = strlen(hash);
		ok = strlen(cd->output) == n && CRYPTO_memcmp(cd->output, hash, n) == 0;
	}
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}
