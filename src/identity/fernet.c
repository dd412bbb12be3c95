#include "identity/fernet.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

char *fernet_encrypt(const unsigned char key[FERNET_KEY_SIZE], const void *payload,
		     size_t size, uint64_t timestamp)
{
	unsigned char *buf = xmalloc(1 + 8 + 16 + size + 16 + 32);
	unsigned int maclen = 0;
	size_t n = 0;
	int outl = 0, finl = 0;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	char *token;

	BUG_ON(ctx == NULL);
	buf[n++] = 0x80;
	for (int i = 7; i >= 0; i--)
		buf[n++] = (unsigned char)(timestamp >> (i * 8));
	util_random(buf + n, 16);
	BUG_ON(EVP_EncryptInit_ex(ctx, EVP_aes_128_cbc(), NULL, key + 16, buf + n) != 1);
	n += 16;
	BUG_ON(EVP_EncryptUpdate(ctx, buf + n, &outl, payload, (int)size) != 1);
	BUG_ON(EVP_EncryptFinal_ex(ctx, buf + n + outl, &finl) != 1);
	EVP_CIPHER_CTX_free(ctx);
	n += (size_t)(outl + finl);
	BUG_ON(HMAC(EVP_sha256(), key, 16, buf, n, buf + n, &maclen) == NULL);
	n += maclen;
	token = xmalloc(4 * ((n + 2) / 3) + 1);
	util_b64url_encode(buf, n, token, false);
	free(buf);
	return token;
}

long fernet_decrypt(const unsigned char (*keys)[FERNET_KEY_SIZE], int nkeys,
		    const char *token, unsigned char *out, size_t out_size,
		    uint64_t *timestamp)
{
	/* a token of a payload that fits 'out' has at most this many bytes */
	size_t max = 1 + 8 + 16 + (out_size / 16 + 1) * 16 + 32;
	size_t len = strlen(token), clen = 0;
	unsigned char *buf, *plain = NULL, mac[32];
	unsigned int maclen = 0;
	EVP_CIPHER_CTX *ctx;
	long n, rc = -1;
	int k, ok, outl = 0, finl = 0;

	if (len == 0 || len > (max + 2) / 3 * 4)
		return -1;
	buf = xmalloc(len / 4 * 3 + 3);
	n = util_b64url_decode(token, len, buf, len / 4 * 3 + 3);
	if (n < 1 + 8 + 16 + 16 + 32 || buf[0] != 0x80)
		goto out;
	clen = (size_t)n - (1 + 8 + 16 + 32);
	if (clen % 16 != 0 || clen > out_size + 16)
		goto out;
	for (k = 0; k < nkeys; k++) {
		if (HMAC(EVP_sha256(), keys[k], 16, buf, (size_t)n - 32, mac, &maclen) == NULL)
			continue;
		if (CRYPTO_memcmp(mac, buf + n - 32, 32) == 0)
			break;
	}
	if (k == nkeys)
		goto out;
	plain = xmalloc(clen + 16);
	ctx = EVP_CIPHER_CTX_new();
	BUG_ON(ctx == NULL);
	ok = EVP_DecryptInit_ex(ctx, EVP_aes_128_cbc(), NULL, keys[k] + 16, buf + 9) == 1 &&
	     EVP_DecryptUpdate(ctx, plain, &outl, buf + 25, (int)clen) == 1 &&
	     EVP_DecryptFinal_ex(ctx, plain + outl, &finl) == 1;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok || (size_t)(outl + finl) > out_size)
		goto out;
	memcpy(out, plain, (size_t)(outl + finl));
	*timestamp = 0;
	for (int i = 1; i <= 8; i++)
		*timestamp = (*timestamp << 8) | buf[i];
	rc = outl + finl;
out:
	if (plain != NULL)
		explicit_bzero(plain, clen + 16);
	free(plain);
	free(buf);
	return rc;
}
