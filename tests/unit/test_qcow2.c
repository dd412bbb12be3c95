/* qcow2 header sniffing for virtual_size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "image/qcow2.h"

/* The header qemu-img writes for "create -f qcow2 x.qcow2 64M" (version 3). */
static void header(unsigned char h[QCOW2_HEADER_SIZE], uint32_t version, uint64_t vsize)
{
	memset(h, 0, QCOW2_HEADER_SIZE);
	memcpy(h, "QFI\xfb", 4);
	for (int i = 0; i < 4; i++)
		h[4 + i] = (unsigned char)(version >> (24 - 8 * i));
	for (int i = 0; i < 8; i++)
		h[24 + i] = (unsigned char)(vsize >> (56 - 8 * i));
}

static void test_sizes(void **state)
{
	unsigned char h[QCOW2_HEADER_SIZE];

	(void)state;
	header(h, 3, 64ull << 20);
	assert_int_equal(qcow2_virtual_size(h, sizeof(h)), 64ll << 20);
	header(h, 2, 0x123456789aull);
	assert_int_equal(qcow2_virtual_size(h, sizeof(h)), 0x123456789all);
	header(h, 3, 0);
	assert_int_equal(qcow2_virtual_size(h, sizeof(h)), 0);
}

static void test_not_qcow2(void **state)
{
	unsigned char h[QCOW2_HEADER_SIZE];

	(void)state;
	header(h, 3, 1 << 20);
	assert_int_equal(qcow2_virtual_size(h, QCOW2_HEADER_SIZE - 1), -1); /* short */
	assert_int_equal(qcow2_virtual_size(h, 0), -1);
	h[3] = 0xfa; /* bad magic */
	assert_int_equal(qcow2_virtual_size(h, sizeof(h)), -1);
	header(h, 4, 1 << 20); /* unknown version */
	assert_int_equal(qcow2_virtual_size(h, sizeof(h)), -1);
	header(h, 3, UINT64_MAX); /* beyond what a size can say */
	assert_int_equal(qcow2_virtual_size(h, sizeof(h)), -1);
	memset(h, 0, sizeof(h));
	assert_int_equal(qcow2_virtual_size(h, sizeof(h)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_not_qcow2),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
