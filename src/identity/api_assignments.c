/* placeholder: filled in by the assignment work */
#include <stddef.h>

#include "identity/identity_int.h"

const struct route ident_assignment_routes[] = { { 0 } };
const struct policy ident_assignment_policies[] = { { 0 } };
