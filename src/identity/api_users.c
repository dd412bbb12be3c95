/* placeholder: filled in by the user work */
#include <stddef.h>

#include "identity/identity_int.h"

const struct route ident_user_routes[] = { { 0 } };
const struct policy ident_user_policies[] = { { 0 } };
