/* libFuzzer target for the privileged helper's request check (priv_check): whatever the
 * unprivileged side sends, a request that passes must stay inside the allowlist. Half the
 * inputs get a valid magic and op so that the fuzzer reaches the field checks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "network/priv.h"

static char state_dir[] = "/tmp/ciel-fuzz-priv-XXXXXX";

/* The invariants of an accepted request, independent of how priv_check decides. */
static void check_accepted(const struct priv_req *r)
{
	const char *const fields[] = { r->link, r->link2, r->link3 };
	size_t n = strlen(state_dir);

	for (int i = 0; i < 3; i++)
		if (strcmp(fields[i], "eth0") == 0 || strcmp(fields[i], "lo") == 0 ||
		    strchr(fields[i], '/') != NULL)
			abort();
	for (const char *p = r->path; p != NULL; p = p == r->path ? r->path2 : NULL)
		if (*p != '\0' && (strncmp(p, state_dir, n) != 0 || p[n] != '/' ||
				   strstr(p, "..") != NULL))
			abort();
	if (strstr(r->ns, "..") != NULL || strchr(r->ns, '/') != NULL ||
	    strstr(r->ns2, "..") != NULL || strchr(r->ns2, '/') != NULL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct priv_req r;
	struct priv_ans ans;

	if (!ready) {
		if (mkdtemp(state_dir) == NULL)
			abort();
		ready = 1;
	}
	if (size == 0)
		return 0;
	if (size - 1 != sizeof(r) || (data[0] & 1)) {
		/* raw: any size, any content */
		(void)priv_check(data + 1, size - 1, state_dir, &ans);
		if (size - 1 != sizeof(r))
			return 0;
	}
	memcpy(&r, data + 1, sizeof(r));
	if (!(data[0] & 1)) {
		r.magic = PRIV_MAGIC;
		r.op = 1 + data[0] / 2 % (PRIV_OP_MAX - 1);
	}
	if (priv_check(&r, sizeof(r), state_dir, &ans) == 0)
		check_accepted(&r);
	return 0;
}
