#include "core/sqlb.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

void sqlb_init(struct sqlb *sb, const char *head)
{
	memset(sb, 0, sizeof(*sb));
	sqlb_text(sb, head);
}

void sqlb_text(struct sqlb *sb, const char *text)
{
	size_t n = strlen(text);

	if (sb->len + n + 1 > sb->cap) {
		sb->cap = (sb->len + n + 1) * 2;
		sb->sql = xrealloc(sb->sql, sb->cap);
	}
	memcpy(sb->sql + sb->len, text, n + 1);
	sb->len += n;
}

void sqlb_param(struct sqlb *sb, const char *param)
{
	BUG_ON(sb->n >= SQLB_MAX_PARAMS);
	sb->params[sb->n++] = param;
}

void sqlb_add(struct sqlb *sb, const char *text, const char *param)
{
	sqlb_text(sb, text);
	if (param != NULL)
		sqlb_param(sb, param);
}

void sqlb_free(struct sqlb *sb)
{
	free(sb->sql);
	memset(sb, 0, sizeof(*sb));
}
