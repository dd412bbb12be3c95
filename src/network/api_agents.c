/* Agents (being written). */
#include "network/net_int.h"

const struct route net_agent_routes[] = { { 0 } };
