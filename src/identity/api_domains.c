/* placeholder: filled in by the domain work */
#include <stddef.h>

#include "identity/identity_int.h"

const struct route ident_domain_routes[] = { { 0 } };
const struct policy ident_domain_policies[] = { { 0 } };
