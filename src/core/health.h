#ifndef CIEL_HEALTH_H
#define CIEL_HEALTH_H

/* Registers GET /healthcheck. */
void health_register(void);

#endif
