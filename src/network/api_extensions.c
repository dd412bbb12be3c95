/* Extensions (being written). */
#include "network/net_int.h"

const struct route net_ext_routes[] = { { 0 } };
