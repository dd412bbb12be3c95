#ifndef CIEL_IDENTITY_TRUSTS_DB_H
#define CIEL_IDENTITY_TRUSTS_DB_H

/* Trusts (OS-TRUST): a trustor delegates some of its roles on a project to a trustee, who
 * may then get trust-scoped tokens: scoped to the project, carrying the delegated roles the
 * trustor still holds, and acting as the trustor ("impersonation") or as the trustee. A
 * trust may expire and may allow only so many tokens (remaining_uses). Deleting it ends
 * its tokens: validation reads the trust again.
 *
 * Tables trust and trust_role. A trust travels as {"id", "trustor_user_id",
 * "trustee_user_id", "project_id", "impersonation", "expires_at" (µs or null),
 * "remaining_uses", "roles": [{"id","name","domain_id"}]}. Returned objects are new
 * references. */

#include <jansson.h>

struct db;
struct err;
struct ident_token;

/* The trust, unless gone, expired or used up: NULL with ERR_NOT_FOUND "Could not find
 * trust: <id>." */
json_t *ident_trust_get(struct db *db, const char *id, struct err *err);
/* Usable trusts, narrowed to a trustor and/or trustee when not NULL, without roles. */
json_t *ident_trust_list(struct db *db, const char *trustor, const char *trustee,
			 struct err *err);
/* Stores a checked trust and its role ids in one transaction. */
int ident_trust_insert(struct db *db, const json_t *trust, struct err *err);
/* ERR_NOT_FOUND when there is no such trust. */
int ident_trust_delete(struct db *db, const char *id, struct err *err);

/* Authentication with scope {"OS-TRUST:trust": {"id"}}: 'tok' holds the authenticated
 * (trustee) user; makes it a trust-scoped token on the trust's project (user switched to the
 * trustor when the trust impersonates, expiry capped by the trust's) and consumes one use.
 * 404 for an unusable trust, 403 when the caller is not its trustee. */
int ident_trust_scope(struct db *db, const json_t *ref, struct ident_token *tok,
		      struct err *err);
/* Validation of a trust-scoped token: the trust must still exist and be unexpired, both
 * users enabled and the trustor still hold every delegated role; sets the token's trust
 * fields and its roles to the delegated roles (implied ones added). -1 with ERR_NOT_FOUND
 * otherwise. */
int ident_trust_token_resolve(struct db *db, struct ident_token *tok, struct err *err);

#endif
