#include "identity/token_cache.h"

#include <pthread.h>
#include <string.h>

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
}

bool ident_token_cache_get(const char *token, uint64_t generation, struct ident_token *tok)
{
	struct slot *s;
	bool hit;

	if (strlen(token) >= MAX_TOKEN)
		return false;
	s = slot_for(token);
	pthread_mutex_lock(&s->lock);
	hit = s->used && s->generation == generation &&
	      util_now_us() - s->filled_us < TOKEN_CACHE_US && strcmp(s->token, token) == 0;
	if (hit)
		copy_token(tok, &s->tok);
	pthread_mutex_unlock(&s->lock);
	return hit;
}

void ident_token_cache_put(const char *token, uint64_t generation,
			   const struct ident_token *tok)
{
	struct slot *s;

	if (strlen(token) >= MAX_TOKEN)
		return;
	s = slot_for(token);
	pthread_mutex_lock(&s->lock);
	if (s->used)
		ident_token_clear(&s->tok);
	copy_token(&s->tok, tok);
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
		if (slots[i].used)
			ident_token_clear(&slots[i].tok);
		slots[i].used = false;
		pthread_mutex_unlock(&slots[i].lock);
	}
	pthread_mutex_lock(&catalog_cache.lock);
	json_decref(catalog_cache.catalog);
	catalog_cache.catalog = NULL;
	pthread_mutex_unlock(&catalog_cache.lock);
}
