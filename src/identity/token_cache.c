#include "identity/token_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"
#include "core/util.h"
#include "identity/identity_int.h"
#include "identity/tokens.h"

#define SLOTS 1024
#define MAX_TOKEN 256

struct slot {
	pthread_mutex_t lock;
	bool used;
	char token[MAX_TOKEN];
	uint64_t generation;
	int64_t filled_us;
	struct ident_token tok;
	/* flat copies for the fast path: role names, user domain, serialized bodies */
	char *role_names; /* nroles NUL-terminated names back to back */
	int nroles;
	char user_domain_id[65];
	char *body[2]; /* [0] without catalog, [1] with */
};

static struct slot slots[SLOTS];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static struct {
	pthread_mutex_t lock;
	json_t *catalog;
	uint64_t generation;
	int64_t filled_us;
} catalog_cache = { PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0 };

static void init(void)
{
	for (int i = 0; i < SLOTS; i++)
		pthread_mutex_init(&slots[i].lock, NULL);
}

static struct slot *slot_for(const char *token)
{
	unsigned int h = 2166136261u;

	for (const char *p = token; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	pthread_once(&once, init);
	return &slots[h % SLOTS];
}

static void slot_clear(struct slot *s)
{
	if (!s->used)
		return;
	ident_token_clear(&s->tok);
	free(s->role_names);
	free(s->body[0]);
	free(s->body[1]);
	s->role_names = s->body[0] = s->body[1] = NULL;
	s->used = false;
}

static bool slot_good(const struct slot *s, const char *token, uint64_t generation)
{
	return s->used && s->generation == generation &&
	       util_now_us() - s->filled_us < TOKEN_CACHE_US && strcmp(s->token, token) == 0;
}

static json_t *copy(const json_t *j)
{
	return j ? json_deep_copy(j) : NULL;
}

static void copy_token(struct ident_token *dst, const struct ident_token *src)
{
	*dst = *src;
	dst->user = copy(src->user);
	dst->scope_obj = copy(src->scope_obj);
	dst->roles = copy(src->roles);
	dst->app_cred = copy(src->app_cred);
	dst->resolved = true;
}

bool ident_token_cache_get(const char *token, uint64_t generation, struct ident_token *tok)
{
	struct slot *s;
	bool hit;

	if (strlen(token) >= MAX_TOKEN)
		return false;
	s = slot_for(token);
	pthread_mutex_lock(&s->lock);
	hit = slot_good(s, token, generation);
	if (hit)
		copy_token(tok, &s->tok);
	pthread_mutex_unlock(&s->lock);
	return hit;
}

bool ident_token_cache_get_auth(struct req *rq, const char *token, uint64_t generation,
				struct ident_token *tok)
{
	struct slot *s;
	bool hit;

	if (strlen(token) >= MAX_TOKEN)
		return false;
	s = slot_for(token);
	pthread_mutex_lock(&s->lock);
	hit = slot_good(s, token, generation);
	if (hit) {
		*tok = s->tok;
		tok->user = tok->scope_obj = tok->roles = tok->app_cred = NULL;
		tok->resolved = false;
		const char **names = req_alloc(rq, ((size_t)s->nroles + 1) * sizeof(*names));
		const char *p = s->role_names;
		for (int i = 0; i < s->nroles; i++) {
			names[i] = req_strdup(rq, p);
			p += strlen(p) + 1;
		}
		tok->auth.roles = names;
		tok->auth.nroles = s->nroles;
		tok->auth.user_domain_id = req_strdup(rq, s->user_domain_id);
	}
	pthread_mutex_unlock(&s->lock);
	return hit;
}

char *ident_token_cache_get_body(const char *token, uint64_t generation, bool catalog)
{
	struct slot *s;
	char *body = NULL;

	if (strlen(token) >= MAX_TOKEN)
		return NULL;
	s = slot_for(token);
	pthread_mutex_lock(&s->lock);
	if (slot_good(s, token, generation) && s->body[catalog] != NULL)
		body = xstrdup(s->body[catalog]);
	pthread_mutex_unlock(&s->lock);
	return body;
}

void ident_token_cache_put_body(const char *token, uint64_t generation, bool catalog,
				const char *body)
{
	struct slot *s;

	if (strlen(token) >= MAX_TOKEN)
		return;
	s = slot_for(token);
	pthread_mutex_lock(&s->lock);
	if (slot_good(s, token, generation) && s->body[catalog] == NULL)
		s->body[catalog] = xstrdup(body);
	pthread_mutex_unlock(&s->lock);
}

void ident_token_cache_put(const char *token, uint64_t generation,
			   const struct ident_token *tok)
{
	struct slot *s;

	if (strlen(token) >= MAX_TOKEN)
		return;
	s = slot_for(token);
	pthread_mutex_lock(&s->lock);
	slot_clear(s);
	copy_token(&s->tok, tok);
	{
		size_t i, size = 1;
		json_t *r;
		char *p;

		json_array_foreach(tok->roles, i, r)
			size += strlen(json_string_value(json_object_get(r, "name"))) + 1;
		p = s->role_names = xmalloc(size);
		json_array_foreach(tok->roles, i, r) {
			const char *name = json_string_value(json_object_get(r, "name"));
			memcpy(p, name, strlen(name) + 1);
			p += strlen(name) + 1;
		}
		s->nroles = (int)json_array_size(tok->roles);
		const char *dom = json_string_value(
			json_object_get(json_object_get(tok->user, "domain"), "id"));
		snprintf(s->user_domain_id, sizeof(s->user_domain_id), "%s", dom ? dom : "");
	}
	memcpy(s->token, token, strlen(token) + 1);
	s->generation = generation;
	s->filled_us = util_now_us();
	s->used = true;
	pthread_mutex_unlock(&s->lock);
}

json_t *ident_catalog_cache_get(uint64_t generation)
{
	json_t *c = NULL;

	pthread_mutex_lock(&catalog_cache.lock);
	if (catalog_cache.catalog && catalog_cache.generation == generation &&
	    util_now_us() - catalog_cache.filled_us < TOKEN_CACHE_US)
		c = json_deep_copy(catalog_cache.catalog);
	pthread_mutex_unlock(&catalog_cache.lock);
	return c;
}

void ident_catalog_cache_put(uint64_t generation, const json_t *catalog)
{
	pthread_mutex_lock(&catalog_cache.lock);
	json_decref(catalog_cache.catalog);
	catalog_cache.catalog = json_deep_copy(catalog);
	catalog_cache.generation = generation;
	catalog_cache.filled_us = util_now_us();
	pthread_mutex_unlock(&catalog_cache.lock);
}

void ident_token_cache_clear(void)
{
	pthread_once(&once, init);
	for (int i = 0; i < SLOTS; i++) {
		pthread_mutex_lock(&slots[i].lock);
		slot_clear(&slots[i]);
		pthread_mutex_unlock(&slots[i].lock);
	}
	pthread_mutex_lock(&catalog_cache.lock);
	json_decref(catalog_cache.catalog);
	catalog_cache.catalog = NULL;
	pthread_mutex_unlock(&catalog_cache.lock);
}
