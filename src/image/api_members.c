/* /v2/images/{id}/members: sharing an image with other projects (Glance's members). */
#include "core/http.h"
#include "image/image_int.h"

const struct route image_member_routes[] = {
	{ 0 },
};

const struct policy image_member_policies[] = {
	{ NULL, 0 },
};
