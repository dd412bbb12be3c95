/* Interoperable image import: /v2/images/{id}/stage, /v2/images/{id}/import and the
 * /v2/info/import and /v2/info/stores discovery documents. */
#include "core/http.h"
#include "image/image_int.h"

const struct route image_import_routes[] = {
	{ 0 },
};

const struct policy image_import_policies[] = {
	{ NULL, 0 },
};

const struct stream_route image_import_streams[] = {
	{ 0 },
};
