#ifndef CIEL_IDENTITY_KEYS_H
#define CIEL_IDENTITY_KEYS_H

/* Token encryption with the loaded key repository (keys.c). */

#include <stddef.h>
#include <stdint.h>

/* Encrypts with the primary key; caller frees the token. */
char *ident_keys_encrypt(const void *payload, size_t size, uint64_t timestamp);
/* Decrypts with any loaded key; returns the payload size or -1. */
long ident_keys_decrypt(const char *token, unsigned char *out, size_t out_size,
			uint64_t *timestamp);

#endif
