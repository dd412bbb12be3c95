#ifndef CIEL_HEALTH_H
#define CIEL_HEALTH_H

struct service;

/* Registers GET /healthcheck. */
void health_register(void);
const struct service *health_http_service(void);

#endif
