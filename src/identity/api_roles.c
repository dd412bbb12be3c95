/* placeholder: filled in by the role work */
#include <stddef.h>

#include "identity/identity_int.h"

const struct route ident_role_routes[] = { { 0 } };
const struct policy ident_role_policies[] = { { 0 } };
