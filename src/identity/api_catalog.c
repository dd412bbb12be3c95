/* placeholder: filled in by the catalog work */
#include <stddef.h>

#include "identity/identity_int.h"

const struct route ident_catalog_routes[] = { { 0 } };
const struct policy ident_catalog_policies[] = { { 0 } };
