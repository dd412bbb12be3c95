/* placeholder: filled in by the credential work */
#include <stddef.h>

#include "identity/identity_int.h"

const struct route ident_credential_routes[] = { { 0 } };
const struct policy ident_credential_policies[] = { { 0 } };
