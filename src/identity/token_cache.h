#ifndef CIEL_IDENTITY_TOKEN_CACHE_H
#define CIEL_IDENTITY_TOKEN_CACHE_H

/* A process-local cache of validated tokens and of the catalog, as Keystone caches token
 * validation. An entry is good while the database generation it was read at is current
 * (any database write in this process retires every entry) and for at most
 * TOKEN_CACHE_US, which bounds how late a write made by another process or API node
 * sharing the database is seen. Entries hold their own deep copies of the JSON parts;
 * readers get fresh copies, so nothing is shared between threads. */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct ident_token;

#define TOKEN_CACHE_US 1000000

struct req;

/* Fills 'tok' (JSON members are new references the caller owns) and returns true on hit. */
bool ident_token_cache_get(const char *token, uint64_t generation, struct ident_token *tok);
/* The fast path for the router: fills the payload fields of 'tok' and tok->auth (role names
 * and user domain copied into the request arena), leaves the JSON members NULL
 * (tok->resolved false). */
bool ident_token_cache_get_auth(struct req *rq, const char *token, uint64_t generation,
				struct ident_token *tok);
/* Stores a resolved token (its JSON is copied). */
void ident_token_cache_put(const char *token, uint64_t generation,
			   const struct ident_token *tok);
/* The serialized token body for validation replies, with or without the catalog: a copy
 * (caller frees) or NULL. put_body attaches one to the entry of 'token' when that entry is
 * still the one read at 'generation'. */
char *ident_token_cache_get_body(const char *token, uint64_t generation, bool catalog);
void ident_token_cache_put_body(const char *token, uint64_t generation, bool catalog,
				const char *body);
/* The catalog: a new reference, or NULL when not cached at 'generation'. */
json_t *ident_catalog_cache_get(uint64_t generation);
void ident_catalog_cache_put(uint64_t generation, const json_t *catalog);
void ident_token_cache_clear(void);

#endif
