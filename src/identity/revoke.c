/* Revocation events: written here, checked by token validation (tokens.c). */
#include <stdio.h>

#include "core/db.h"
#include "core/err.h"
#include "core/util.h"
#include "identity/identity_int.h"

int ident_revoke(struct db *db, const struct ident_revoke *ev, struct err *err)
{
	char id[33], before[24], now[24];
	int64_t t = util_now_us();

	util_uuid_hex(id);
	snprintf(before, sizeof(before), "%lld",
		 (long long)(ev->issued_before ? ev->issued_before : t));
	snprintf(now, sizeof(now), "%lld", (long long)t);
	return db_exec(db, err,
		       "INSERT INTO revocation_event (id, user_id, project_id, domain_id,"
		       " audit_id, issued_before, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		       DBP(id, ev->user_id, ev->project_id, ev->domain_id, ev->audit_id, before,
			   now)) < 0
		       ? -1
		       : 0;
}
