#ifndef CIEL_IDENTITY_TOKENS_H
#define CIEL_IDENTITY_TOKENS_H

/* Tokens: the Fernet payload, validation against the database, and the token body. */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct db;
struct err;
struct req;
struct ident_token;

/* Packs the payload fields of 'tok' (user, methods, scope, app credential, times, audit
 * ids) into 'out'; returns the size. Exposed for unit tests. */
size_t ident_token_pack(const struct ident_token *tok, unsigned char *out, size_t size);
int ident_token_unpack(const unsigned char *p, size_t size, struct ident_token *tok);

/* The Fernet string for 'tok' (caller frees). */
char *ident_token_encode(const struct ident_token *tok);
/* Decrypts and unpacks 'token' into 'tok' (payload fields only); -1 if invalid. */
int ident_token_decode(const char *token, struct ident_token *tok);
/* Checks expiry and revocation and reads user, scope and roles from the database into
 * 'tok'. -1 with ERR_NOT_FOUND when the token is no longer valid. */
int ident_token_resolve(struct db *db, struct ident_token *tok, struct err *err);
/* Decode + resolve. */
int ident_token_validate(struct db *db, const char *token, struct ident_token *tok,
			 struct err *err);
/* {"token": {...}} for 'tok' with or without the catalog. */
json_t *ident_token_body(struct db *db, struct req *rq, const struct ident_token *tok,
			 bool with_catalog, struct err *err);
/* The service catalog as the token body lists it. */
json_t *ident_catalog(struct db *db, struct err *err);
/* Loads user, scope and roles into a token the router took from the cache's fast path;
 * -1 (with empty user and roles filled in) if it is no longer valid. */
int ident_token_load(struct ident_token *tok);
/* Frees the JSON members of a token (not the token itself). */
void ident_token_clear(struct ident_token *tok);

#endif
