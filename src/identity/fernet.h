#ifndef CIEL_FERNET_H
#define CIEL_FERNET_H

/* Fernet (the spec Keystone's tokens use): base64url( 0x80 | timestamp (8, big endian) |
 * IV (16) | AES-128-CBC(PKCS7) ciphertext | HMAC-SHA256 (32) ). A 32-byte key is the
 * 16-byte signing key followed by the 16-byte encryption key. Pure functions: keys are
 * passed in, nothing is global. */

#include <stddef.h>
#include <stdint.h>

#define FERNET_KEY_SIZE 32

/* Returns the token (caller frees), base64url without padding. */
char *fernet_encrypt(const unsigned char key[FERNET_KEY_SIZE], const void *payload,
		     size_t size, uint64_t timestamp);

/* Verifies 'token' with each key in turn and decrypts it into 'out'. Returns the payload
 * size, or -1 if no key verifies it or it is malformed. */
long fernet_decrypt(const unsigned char (*keys)[FERNET_KEY_SIZE], int nkeys,
		    const char *token, unsigned char *out, size_t out_size,
		    uint64_t *timestamp);

#endif
