/* placeholder: filled in by the appcred work */
#include <stddef.h>

#include "identity/identity_int.h"

const struct route ident_appcred_routes[] = { { 0 } };
const struct policy ident_appcred_policies[] = { { 0 } };
