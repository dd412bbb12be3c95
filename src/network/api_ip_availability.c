/* Network IP availabilities (being written). */
#include "network/net_int.h"

const struct route net_ipavail_routes[] = { { 0 } };
