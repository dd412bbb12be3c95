/* qcow2 header sniffing: see qcow2.h. */
#include "image/qcow2.h"

#include <string.h>

static uint64_t be64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int64_t qcow2_virtual_size(const unsigned char *buf, size_t size)
{
	uint32_t version;
	uint64_t vsize;

	if (size < QCOW2_HEADER_SIZE || memcmp(buf, "QFI\xfb", 4) != 0)
		return -1;
	version = (uint32_t)(be64(buf) & 0xffffffffu);
	if (version != 2 && version != 3)
		return -1;
	vsize = be64(buf + 24);
	return vsize > INT64_MAX ? -1 : (int64_t)vsize;
}
