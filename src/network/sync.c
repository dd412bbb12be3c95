/* The sync worker (see sync.h): kicks in, applies out.
 *
 * State under one mutex: 'kicks' counts calls to net_sync_kick, 'seen' is the value of
 * 'kicks' when the last apply began loading and 'done' the value for which the last
 * apply succeeded. The worker applies when kicks != seen (a change it has not loaded),
 * when 30 s passed since the last apply, or when a failed apply's backoff expired.
 * net_sync_wait_idle waits for done >= kicks-at-call + 1 (it kicks itself, so an
 * apply that began after the call is what it waits for). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_MODULE "network"
#include "core/db.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "network/net_int.h"
#include "network/netdrv.h"
#include "network/sync.h"

#define SYNC_PERIOD_MS 30000    /* periodic reconcile */
#define SYNC_HEARTBEAT_MS 20000 /* agents are alive for 75 s after a heartbeat */
#define SYNC_SETTLE_MS 50       /* a burst of kicks settles for this long */
#define SYNC_SETTLE_IDLE_MS 5   /* ... or this long when no other kick follows within it */
#define SYNC_BACKOFF_MIN_MS 1000
#define SYNC_BACKOFF_MAX_MS 30000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;   /* to the worker */
static pthread_cond_t applied = PTHREAD_COND_INITIALIZER; /* to waiters */
static pthread_t thread;
static bool running, stopping;
static struct netdrv *drv;
static unsigned long kicks, seen, done, applies;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An absolute CLOCK_MONOTONIC deadline 'ms' from now, for the conds (made monotonic). */
static struct timespec deadline(int64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

void net_sync_kick(void)
{
	pthread_mutex_lock(&lock);
	if (running) {
		kicks++;
		pthread_cond_signal(&wake);
	}
	pthread_mutex_unlock(&lock);
}

unsigned long net_sync_applies(void)
{
	unsigned long n;

	pthread_mutex_lock(&lock);
	n = applies;
	pthread_mutex_unlock(&lock);
	return n;
}

/* The ids the driver reported up during one apply, sorted afterwards for lookups. */
struct up_set {
	char (*ids)[37];
	int n, cap;
};

static void port_up(const char *port_id, void *ctx)
{
	struct up_set *s = ctx;

	if (port_id == NULL || strlen(port_id) >= sizeof(*s->ids))
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->ids = xrealloc(s->ids, s->cap * sizeof(*s->ids));
	}
	strcpy(s->ids[s->n++], port_id);
}

static int id_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Writes the statuses the apply implies (see sync.h); only rows that change. */
static int write_statuses(struct db *db, struct up_set *up, int *changed, struct err *err)
{
	struct db_res *res = NULL;
	int rc = -1, n;

	*changed = 0;
	if (up->n > 1) /* ids is NULL when no port is up */
		qsort(up->ids, up->n, sizeof(*up->ids), id_cmp);
	/* as in Neutron, a port goes ACTIVE only once bound to a host (compute sets
	 * binding:host_id) or when the network owns it (DHCP, router legs) */
	res = db_query(db, err,
		       "SELECT id, status, admin_state_up, binding_host_id <> ''"
		       " OR device_owner LIKE 'network:%' FROM net_port",
		       DBNONE);
	if (res == NULL)
		return -1;
	if (db_begin(db, err) < 0)
		goto out;
	for (int r = 0; r < db_res_rows(res); r++) {
		const char *id = db_res_str(res, r, 0), *status = db_res_str(res, r, 1);
		const char *want = NULL;

		if (!db_res_bool(res, r, 2))
			want = "DOWN";
		else if (db_res_bool(res, r, 3) && up->n > 0 && strlen(id) < sizeof(*up->ids) &&
			 bsearch(id, up->ids, up->n, sizeof(*up->ids), id_cmp) != NULL)
			want = "ACTIVE";
		if (want == NULL || str_eq(status, want))
			continue;
		/* the status test keeps a concurrent change (admin down) from being undone */
		n = db_exec(db, err,
			    "UPDATE net_port SET status = ? WHERE id = ? AND status = ?"
			    " AND admin_state_up = ?",
			    DBP(want, id, status, db_res_str(res, r, 2)));
		if (n < 0)
			goto out;
		*changed += n;
	}
	n = db_exec(db, err,
		    "UPDATE net_floatingip SET status = 'ACTIVE'"
		    " WHERE port_id IS NOT NULL AND status <> 'ACTIVE'",
		    DBNONE);
	if (n < 0)
		goto out;
	*changed += n;
	n = db_exec(db, err,
		    "UPDATE net_floatingip SET status = 'DOWN'"
		    " WHERE port_id IS NULL AND status <> 'DOWN'",
		    DBNONE);
	if (n < 0)
		goto out;
	*changed += n;
	rc = db_commit(db, err);
out:
	if (rc < 0)
		db_rollback(db);
	db_res_free(res);
	return rc;
}

/* One load + apply + status pass; 'why' names it in the log. */
static int apply_once(struct db *db, const char *why, struct err *err)
{
	struct net_model m;
	struct up_set up = { 0 };
	int64_t t0 = now_ms(), t1, t2, t3;
	int changed = 0, rc = -1;

	if (net_model_load(db, &m, err) < 0)
		return -1;
	t1 = now_ms();
	if (netdrv_apply(drv, &m, port_up, &up, err) < 0)
		goto out;
	t2 = now_ms();
	if (write_statuses(db, &up, &changed, err) < 0)
		goto out;
	t3 = now_ms();
	log_info("sync: %s of %d networks, %d subnets, %d ports, %d routers in %lld ms"
		 " (load %lld ms, %s apply %lld ms, status %lld ms: %d changed)",
		 why, m.nnetworks, m.nsubnets, m.nports, m.nrouters, (long long)(t3 - t0),
		 (long long)(t1 - t0), drv->ops->name, (long long)(t2 - t1),
		 (long long)(t3 - t2), changed);
	rc = 0;
out:
	free(up.ids);
	net_model_free(&m);
	return rc;
}

static void *worker(void *arg)
{
	struct err err = { 0 };
	struct db *db;
	int64_t last_apply = 0, last_beat = 0, retry_at = 0;
	int backoff = 0;
	bool first = true;

	(void)arg;
	db = db_get(&err);
	if (db == NULL) {
		log_error("sync: no database connection: %s", err.msg);
		return NULL;
	}
	pthread_mutex_lock(&lock);
	while (!stopping) {
		int64_t now = now_ms(), next;
		unsigned long target;
		const char *why;
		bool periodic = now - last_apply >= SYNC_PERIOD_MS;
		bool retry = backoff > 0 && now >= retry_at;
		int rc;

		if (now - last_beat >= SYNC_HEARTBEAT_MS) {
			pthread_mutex_unlock(&lock);
			err_clear(&err);
			if (net_agents_heartbeat(db, &err) < 0)
				log_warn("sync: agents heartbeat: %s", err.msg);
			last_beat = now;
			pthread_mutex_lock(&lock);
			continue;
		}
		/* pending kicks wait while a failed apply backs off */
		if (!first && !periodic && !retry && (kicks == seen || backoff > 0)) {
			next = last_apply + SYNC_PERIOD_MS;
			if (last_beat + SYNC_HEARTBEAT_MS < next)
				next = last_beat + SYNC_HEARTBEAT_MS;
			if (backoff > 0 && retry_at < next)
				next = retry_at;
			struct timespec ts = deadline(next > now ? next - now : 0);
			pthread_cond_timedwait(&wake, &lock, &ts);
			continue;
		}
		why = first ? "reconcile" : retry ? "retry" : kicks != seen ? "apply" : "periodic";
		if (kicks != seen && !first) {
			/* let the rest of a burst arrive: one apply for all of it. A lone kick
			 * (one port create waiting for its lease) waits 5 ms; when another kick
			 * comes within them, a burst is on and the wait goes to 50 ms */
			struct timespec ts = deadline(SYNC_SETTLE_IDLE_MS);
			unsigned long at = kicks;

			while (!stopping &&
			       pthread_cond_timedwait(&wake, &lock, &ts) != ETIMEDOUT)
				;
			ts = deadline(SYNC_SETTLE_MS - SYNC_SETTLE_IDLE_MS);
			while (!stopping && kicks != at &&
			       pthread_cond_timedwait(&wake, &lock, &ts) != ETIMEDOUT)
				;
		}
		target = kicks;
		seen = kicks;
		pthread_mutex_unlock(&lock);

		err_clear(&err);
		rc = apply_once(db, why, &err);
		last_apply = now_ms();
		first = false;

		pthread_mutex_lock(&lock);
		applies++;
		if (rc == 0) {
			backoff = 0;
			done = target;
			pthread_cond_broadcast(&applied);
		} else {
			backoff = backoff ? backoff * 2 : SYNC_BACKOFF_MIN_MS;
			if (backoff > SYNC_BACKOFF_MAX_MS)
				backoff = SYNC_BACKOFF_MAX_MS;
			retry_at = last_apply + backoff;
			log_error("sync: %s failed (next try in %d ms): %s", why, backoff,
				  err.msg);
		}
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

int net_sync_start(struct netdrv *d, struct err *err)
{
	pthread_condattr_t attr;
	int rc;

	pthread_mutex_lock(&lock);
	if (running) {
		pthread_mutex_unlock(&lock);
		return err_set(err, ERR_INTERNAL, "the sync worker runs already");
	}
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_destroy(&wake);
	pthread_cond_init(&wake, &attr);
	pthread_cond_destroy(&applied);
	pthread_cond_init(&applied, &attr);
	pthread_condattr_destroy(&attr);
	drv = d;
	stopping = false;
	kicks = seen = done = applies = 0;
	rc = pthread_create(&thread, NULL, worker, NULL);
	if (rc != 0) {
		pthread_mutex_unlock(&lock);
		return err_set(err, ERR_INTERNAL, "sync worker: %s", strerror(rc));
	}
	running = true;
	pthread_mutex_unlock(&lock);
	log_info("sync: worker started with the %s driver", d->ops->name);
	return 0;
}

void net_sync_stop(void)
{
	pthread_mutex_lock(&lock);
	if (!running) {
		pthread_mutex_unlock(&lock);
		return;
	}
	stopping = true;
	pthread_cond_broadcast(&wake);
	pthread_cond_broadcast(&applied);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
	pthread_mutex_lock(&lock);
	running = false;
	drv = NULL;
	pthread_mutex_unlock(&lock);
}

int net_sync_wait_idle(int timeout_ms)
{
	struct timespec ts = deadline(timeout_ms);
	unsigned long target;
	int rc = 0;

	pthread_mutex_lock(&lock);
	if (!running || stopping) {
		pthread_mutex_unlock(&lock);
		return -1;
	}
	target = ++kicks;
	pthread_cond_signal(&wake);
	while (done < target && rc == 0 && !stopping)
		rc = pthread_cond_timedwait(&applied, &lock, &ts) == ETIMEDOUT ? -1 : 0;
	rc = done >= target ? 0 : -1;
	pthread_mutex_unlock(&lock);
	return rc;
}
