/* /v2/schemas/{image,images,member,members}: the JSON schemas Glance publishes. */
#include "core/http.h"
#include "image/image_int.h"

const struct route image_schema_routes[] = {
	{ 0 },
};
