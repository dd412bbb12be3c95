#ifndef CIEL_IDENTITY_KEYS_H
#define CIEL_IDENTITY_KEYS_H

/* Encryption with the loaded key repositories (keys.c): the token keys (fernet-keys) and
 * the credential keys (credential-keys) that encrypt the secrets kept in the database. */

#include <stddef.h>
#include <stdint.h>

struct err;

/* ---- tokens ---- */
/* Encrypts with the primary key; caller frees the token. */
char *ident_keys_encrypt(const void *payload, size_t size, uint64_t timestamp);
/* Decrypts with any loaded key; returns the payload size or -1. */
long ident_keys_decrypt(const char *token, unsigned char *out, size_t out_size,
			uint64_t *timestamp);

/* ---- either repository on disk ---- */
/* The staged key (0) becomes the primary and a new staged key is written; no key goes. */
int ident_keys_promote(const char *dir, struct err *err);
/* Deletes the oldest secondaries until 'max_active' keys are left (never 0 or the
 * primary). */
void ident_keys_prune(const char *dir, int max_active);

/* ---- credentials ---- */
#define IDENT_KEY_HASH_SIZE 65 /* SHA-256 of a key in hex, NUL-terminated */

/* Loads every key of 'dir' as the credential keys (the highest-numbered is primary). */
int ident_credential_keys_load(const char *dir, struct err *err);
void ident_credential_keys_unload(void);
/* Encrypts the string 'plain' with the primary credential key: returns the Fernet token
 * (caller frees) and sets 'hash' to the primary key's hash, which names the key that
 * encrypted a stored value. */
char *ident_credential_encrypt(const char *plain, char hash[IDENT_KEY_HASH_SIZE]);
/* Decrypts with any loaded credential key into a new string (caller frees); NULL when no
 * key opens it or it holds a NUL byte. */
char *ident_credential_decrypt(const char *sealed);
/* The primary credential key's hash. */
void ident_credential_primary_hash(char hash[IDENT_KEY_HASH_SIZE]);

#endif
