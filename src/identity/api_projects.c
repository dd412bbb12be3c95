/* placeholder: filled in by the project work */
#include <stddef.h>

#include "identity/identity_int.h"

const struct route ident_project_routes[] = { { 0 } };
const struct policy ident_project_policies[] = { { 0 } };
