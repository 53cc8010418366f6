// SPDX-License-Identifier: GPL-2.0
/*
 * The snapshot bridge: captured dump reports held by tag until the test
 * drains them, with a bounded log of what happened to them on the way.
 *
 * The store is two collections that must agree, as in the spec: @tab
 * owns the entries (looked up by tag) and @order lists the same entries
 * oldest first (FIFO eviction pops its head; a drain walks it). Both are
 * growable arrays, allocated with the bridge at KTSTR_BRIDGE_MAX_REPORTS
 * + 1 slots (the "+ 1" being the report a store adds before it evicts),
 * so in practice they never grow; a store makes sure of the room before
 * it changes anything, so nothing can fail between updating one
 * collection and the other. That is why the two invariant checks (a
 * report in @tab missing from @order at drain time; @tab still over the
 * cap once @order is empty) cannot fire through this API: every path
 * that adds to or removes from one collection does the same to the other
 * under the same lock. They stay because the collections are separate
 * and unbounded as data structures: a future change that desynchronises
 * them must surface the damage as an event, not lose reports silently,
 * loop, or let @tab grow past the cap.
 *
 * The event log is a ring of KTSTR_BRIDGE_MAX_EVENTS slots, also
 * allocated with the bridge, so logging an event never allocates beyond
 * the strings it carries. Strings an event needs are copied before the
 * store is changed, so an allocation failure leaves the store as it was.
 *
 * Callbacks (capture, watch) run without the lock held: they may take
 * long (a VM freeze) and may call back into the bridge.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <ktstr/bridge.h>


struct bridge_entry {
	char *tag;
	struct ktstr_dump_report *report;
	/* NULL: stats_missing says why (never KTSTR_STATS_PRESENT then). */
	char *stats_json;
	enum ktstr_stats_missing stats_missing;
	int stats_errno;
	bool has_elapsed, has_boundary, has_step;
	uint64_t elapsed_ms, boundary_offset_ms;
	uint16_t step_index;
};

struct ktstr_bridge {
	pthread_mutex_t lock;
	ktstr_capture_fn capture;
	void *capture_ctx;
	ktstr_watch_fn watch;		/* under @lock */
	void *watch_ctx;

	struct bridge_entry **tab;	/* owns the entries */
	size_t nr_tab;
	struct bridge_entry **order;	/* oldest first */
	size_t nr_order;
	size_t slots;			/* capacity of @tab and of @order */

	struct ktstr_bridge_event *ev;	/* ring of KTSTR_BRIDGE_MAX_EVENTS */
	size_t ev_head, nr_ev;
	uint64_t ev_dropped;		/* since the last drain_events */

	/*
	 * Reserved or armed user watch slots. Reserved by compare-and-swap
	 * before the watch callback runs, so that concurrent registrations
	 * can never push it past the cap, not even for a moment.
	 */
	atomic_uint watch_count;
};

static void entry_free(struct bridge_entry *e)
{
	if (!e)
		return;
	free(e->tag);
	ktstr_dump__free(e->report);
	free(e->stats_json);
	free(e);
}

static void event_release(struct ktstr_bridge_event *ev)
{
	free(ev->tag);
	free(ev->new_tag);
	free(ev->prior_schema);
	memset(ev, 0, sizeof(*ev));
}

/*
 * Append @ev (its strings now owned by the log). A full log drops its
 * oldest event and counts it, for drain_events' LOG_TRUNCATED marker.
 */
static void event_push(struct ktstr_bridge *b, const struct ktstr_bridge_event *ev)
{
	if (b->nr_ev == KTSTR_BRIDGE_MAX_EVENTS) {
		event_release(&b->ev[b->ev_head]);
		b->ev_head = (b->ev_head + 1) % KTSTR_BRIDGE_MAX_EVENTS;
		b->nr_ev--;
		if (b->ev_dropped < UINT64_MAX)
			b->ev_dropped++;
	}
	b->ev[(b->ev_head + b->nr_ev) % KTSTR_BRIDGE_MAX_EVENTS] = *ev;
	b->nr_ev++;
}

/*
 * An event whose strings could not be allocated is counted as dropped
 * rather than logged half-empty: the next drain's LOG_TRUNCATED marker
 * then tells the reader that something is missing.
 */
static void event_lost(struct ktstr_bridge *b)
{
	if (b->ev_dropped < UINT64_MAX)
		b->ev_dropped++;
}

static void event_push_tag(struct ktstr_bridge *b, enum ktstr_bridge_event_kind kind,
			   const char *tag, const char *drain)
{
	struct ktstr_bridge_event ev = { .kind = kind, .drain = drain };

	ev.tag = strdup(tag);
	if (!ev.tag) {
		event_lost(b);
		return;
	}
	event_push(b, &ev);
}

struct ktstr_bridge *ktstr_bridge__new(ktstr_capture_fn capture, void *ctx)
{
	struct ktstr_bridge *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->slots = KTSTR_BRIDGE_MAX_REPORTS + 1;
	b->tab = calloc(b->slots, sizeof(*b->tab));
	b->order = calloc(b->slots, sizeof(*b->order));
	b->ev = calloc(KTSTR_BRIDGE_MAX_EVENTS, sizeof(*b->ev));
	if (!b->tab || !b->order || !b->ev || pthread_mutex_init(&b->lock, NULL)) {
		free(b->tab);
		free(b->order);
		free(b->ev);
		free(b);
		return NULL;
	}
	b->capture = capture;
	b->capture_ctx = ctx;
	atomic_init(&b->watch_count, 0);
	return b;
}

void ktstr_bridge__set_watch(struct ktstr_bridge *b, ktstr_watch_fn watch, void *ctx)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->lock);
	b->watch = watch;
	b->watch_ctx = ctx;
	pthread_mutex_unlock(&b->lock);
}

void ktstr_bridge__free(struct ktstr_bridge *b)
{
	size_t i;

	if (!b)
		return;
	/* @tab owns the entries; @order only points at them. */
	for (i = 0; i < b->nr_tab; i++)
		entry_free(b->tab[i]);
	for (i = 0; i < b->nr_ev; i++)
		event_release(&b->ev[(b->ev_head + i) % KTSTR_BRIDGE_MAX_EVENTS]);
	free(b->tab);
	free(b->order);
	free(b->ev);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

/* Index of @tag in @tab, or -1. */
static ssize_t tab_find(const struct ktstr_bridge *b, const char *tag)
{
	for (size_t i = 0; i < b->nr_tab; i++)
		if (!strcmp(b->tab[i]->tag, tag))
			return i;
	return -1;
}

/* Index of @e in @tab by identity, or -1. */
static ssize_t tab_find_entry(const struct ktstr_bridge *b, const struct bridge_entry *e)
{
	for (size_t i = 0; i < b->nr_tab; i++)
		if (b->tab[i] == e)
			return i;
	return -1;
}

/* Remove @tab[@i], keeping the rest in their order (drains rely on it). */
static void tab_remove(struct ktstr_bridge *b, size_t i)
{
	memmove(&b->tab[i], &b->tab[i + 1], (b->nr_tab - i - 1) * sizeof(*b->tab));
	b->nr_tab--;
}

/* Drop @e from @order, if it is there. */
static void order_remove(struct ktstr_bridge *b, const struct bridge_entry *e)
{
	for (size_t i = 0; i < b->nr_order; i++) {
		if (b->order[i] != e)
			continue;
		memmove(&b->order[i], &b->order[i + 1],
			(b->nr_order - i - 1) * sizeof(*b->order));
		b->nr_order--;
		return;
	}
}

/*
 * Room for one more entry in @tab and in @order: 0 or -ENOMEM. Only a
 * broken invariant ever needs more than the slots allocated with the
 * bridge; a partial failure just leaves @tab with spare room.
 */
static int reserve_one(struct ktstr_bridge *b)
{
	size_t need = (b->nr_tab > b->nr_order ? b->nr_tab : b->nr_order) + 1;
	struct bridge_entry **p;

	if (need <= b->slots)
		return 0;
	need *= 2;
	p = realloc(b->tab, need * sizeof(*p));
	if (!p)
		return -ENOMEM;
	b->tab = p;
	p = realloc(b->order, need * sizeof(*p));
	if (!p)
		return -ENOMEM;
	b->order = p;
	b->slots = need;
	return 0;
}

/* Build the entry a store will add; NULL on allocation failure. */
static struct bridge_entry *entry_new(const char *tag, const struct ktstr_bridge_meta *meta)
{
	struct bridge_entry *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->tag = strdup(tag);
	if (!e->tag)
		goto fail;
	/* A store that carried no stats at all: nothing asked for them. */
	e->stats_missing = KTSTR_STATS_NO_SCHEDULER_BINARY;
	if (!meta)
		return e;
	if (meta->stats_json) {
		e->stats_json = strdup(meta->stats_json);
		if (!e->stats_json)
			goto fail;
		e->stats_missing = KTSTR_STATS_PRESENT;
	} else if (meta->stats_missing != KTSTR_STATS_PRESENT) {
		e->stats_missing = meta->stats_missing;
		if (meta->stats_missing == KTSTR_STATS_SCHEDULER_ERRNO)
			e->stats_errno = meta->stats_errno;
	}
	e->has_elapsed = meta->has_elapsed;
	e->elapsed_ms = meta->has_elapsed ? meta->elapsed_ms : 0;
	e->has_boundary = meta->has_boundary;
	e->boundary_offset_ms = meta->has_boundary ? meta->boundary_offset_ms : 0;
	e->has_step = meta->has_step;
	e->step_index = meta->has_step ? meta->step_index : 0;
	return e;
fail:
	free(e->tag);
	free(e);
	return NULL;
}

static bool stats_missing_valid(enum ktstr_stats_missing m)
{
	return m >= KTSTR_STATS_PRESENT && m <= KTSTR_STATS_PARSE_ERROR;
}

/* Drop every entry: the cap invariant's last resort. Caller holds the lock. */
static void tab_clear(struct ktstr_bridge *b)
{
	for (size_t i = 0; i < b->nr_tab; i++)
		entry_free(b->tab[i]);
	b->nr_tab = 0;
	b->nr_order = 0;
}

/*
 * Evict from the head of @order until @tab is back under the cap.
 * @new_tag_copy is the EVICTION event's new_tag, allocated beforehand
 * for the one eviction a store normally causes (consumed, may be NULL).
 */
static void enforce_cap(struct ktstr_bridge *b, const char *new_tag, char *new_tag_copy)
{
	while (b->nr_tab > KTSTR_BRIDGE_MAX_REPORTS) {
		struct ktstr_bridge_event ev = { .kind = KTSTR_BEV_EVICTION };
		struct bridge_entry *victim;
		ssize_t i;

		if (!b->nr_order) {
			/*
			 * @tab over the cap yet nothing to evict: the two
			 * collections disagree. Clearing loses the reports,
			 * but looping or growing without bound would be
			 * worse; the event says how many went.
			 */
			ev.kind = KTSTR_BEV_CAP_VIOLATION;
			ev.count = b->nr_tab;
			ev.cap = KTSTR_BRIDGE_MAX_REPORTS;
			tab_clear(b);
			event_push(b, &ev);
			break;
		}
		victim = b->order[0];
		order_remove(b, victim);
		/* Compared by identity only: a stale @order slot is not dereferenced. */
		i = tab_find_entry(b, victim);
		if (i < 0)
			continue;
		tab_remove(b, i);
		/* The victim's tag moves into the event: no allocation here. */
		ev.tag = victim->tag;
		victim->tag = NULL;
		ev.new_tag = new_tag_copy ? new_tag_copy : strdup(new_tag);
		new_tag_copy = NULL;
		ev.cap = KTSTR_BRIDGE_MAX_REPORTS;
		entry_free(victim);
		if (!ev.new_tag) {
			free(ev.tag);
			event_lost(b);
			continue;
		}
		event_push(b, &ev);
	}
	free(new_tag_copy);
}

int ktstr_bridge__store(struct ktstr_bridge *b, const char *tag,
			struct ktstr_dump_report *report,
			const struct ktstr_bridge_meta *meta)
{
	struct ktstr_bridge_event ev = { .kind = KTSTR_BEV_OVERWRITE };
	char *new_tag_copy = NULL;
	struct bridge_entry *e, *old;
	ssize_t i;

	/* The bridge owns @report from here on, whatever the outcome. */
	if (!b || !tag || !report ||
	    (meta && !stats_missing_valid(meta->stats_missing))) {
		ktstr_dump__free(report);
		return -EINVAL;
	}
	e = entry_new(tag, meta);
	if (!e) {
		ktstr_dump__free(report);
		return -ENOMEM;
	}
	e->report = report;

	pthread_mutex_lock(&b->lock);
	if (reserve_one(b))
		goto nomem;
	i = tab_find(b, tag);
	if (i >= 0) {
		old = b->tab[i];
		ev.tag = strdup(tag);
		ev.prior_schema = strdup(old->report->schema ? old->report->schema : "");
		if (!ev.tag || !ev.prior_schema)
			goto nomem;
		/*
		 * The new entry replaces the old one whole, so stats,
		 * elapsed, boundary and step are those of this store, or
		 * absent when it carried none: never the prior capture's.
		 * It moves to the back of the order, farthest from eviction.
		 */
		b->tab[i] = e;
		order_remove(b, old);
		b->order[b->nr_order++] = e;
		event_push(b, &ev);
		pthread_mutex_unlock(&b->lock);
		entry_free(old);
		return 0;
	}
	if (b->nr_tab >= KTSTR_BRIDGE_MAX_REPORTS && b->nr_order) {
		new_tag_copy = strdup(tag);
		if (!new_tag_copy)
			goto nomem;
	}
	b->tab[b->nr_tab++] = e;
	b->order[b->nr_order++] = e;
	enforce_cap(b, tag, new_tag_copy);
	pthread_mutex_unlock(&b->lock);
	return 0;
nomem:
	pthread_mutex_unlock(&b->lock);
	free(ev.tag);
	free(ev.prior_schema);
	entry_free(e);
	return -ENOMEM;
}

static int capture(struct ktstr_bridge *b, const char *tag, const struct ktstr_bridge_meta *meta)
{
	struct ktstr_dump_report *r;

	if (!b || !tag)
		return -EINVAL;
	r = b->capture ? b->capture(b->capture_ctx, tag) : NULL;
	if (!r) {
		pthread_mutex_lock(&b->lock);
		event_push_tag(b, KTSTR_BEV_CAPTURE_UNAVAILABLE, tag, NULL);
		pthread_mutex_unlock(&b->lock);
		return -ENODATA;
	}
	return ktstr_bridge__store(b, tag, r, meta);
}

int ktstr_bridge__capture(struct ktstr_bridge *b, const char *tag)
{
	return capture(b, tag, NULL);
}

int ktstr_bridge__capture_step(struct ktstr_bridge *b, const char *tag, uint16_t step)
{
	struct ktstr_bridge_meta meta = { .has_step = true, .step_index = step };

	return capture(b, tag, &meta);
}

size_t ktstr_bridge__len(struct ktstr_bridge *b)
{
	size_t n;

	if (!b)
		return 0;
	pthread_mutex_lock(&b->lock);
	n = b->nr_tab;
	pthread_mutex_unlock(&b->lock);
	return n;
}

bool ktstr_bridge__has(struct ktstr_bridge *b, const char *tag)
{
	bool ret;

	if (!b || !tag)
		return false;
	pthread_mutex_lock(&b->lock);
	ret = tab_find(b, tag) >= 0;
	pthread_mutex_unlock(&b->lock);
	return ret;
}

bool ktstr_bridge__is_periodic_tag(const char *tag)
{
	static const char prefix[] = "periodic_";
	const size_t plen = sizeof(prefix) - 1;

	/*
	 * Exactly the coordinator's "periodic_%03u": a user tag that only
	 * shares the prefix ("periodic_kaslr") must not count as periodic.
	 */
	if (!tag || strncmp(tag, prefix, plen) || strlen(tag) != plen + 3)
		return false;
	for (size_t i = plen; i < plen + 3; i++)
		if (tag[i] < '0' || tag[i] > '9')
			return false;
	return true;
}

unsigned int ktstr_bridge__periodic_real_count(struct ktstr_bridge *b)
{
	unsigned int n = 0;

	if (!b)
		return 0;
	pthread_mutex_lock(&b->lock);
	for (size_t i = 0; i < b->nr_tab; i++)
		if (ktstr_bridge__is_periodic_tag(b->tab[i]->tag) &&
		    !b->tab[i]->report->is_placeholder)
			n++;
	pthread_mutex_unlock(&b->lock);
	return n;
}

struct ktstr_dump_report *ktstr_bridge__take(struct ktstr_bridge *b, const char *tag)
{
	struct ktstr_dump_report *r = NULL;
	struct bridge_entry *e = NULL;
	ssize_t i;

	if (!b || !tag)
		return NULL;
	pthread_mutex_lock(&b->lock);
	i = tab_find(b, tag);
	if (i >= 0) {
		e = b->tab[i];
		tab_remove(b, i);
		order_remove(b, e);
	}
	pthread_mutex_unlock(&b->lock);
	if (e) {
		r = e->report;
		e->report = NULL;
		entry_free(e);
	}
	return r;
}

/* Move @e into @s; with @with_stats, its stats and timing too. Frees @e. */
static void entry_to_sample(struct bridge_entry *e, struct ktstr_bridge_sample *s,
			    bool with_stats)
{
	memset(s, 0, sizeof(*s));
	s->tag = e->tag;
	s->report = e->report;
	e->tag = NULL;
	e->report = NULL;
	if (with_stats) {
		s->stats_json = e->stats_json;
		e->stats_json = NULL;
		s->stats_missing = e->stats_missing;
		s->stats_errno = e->stats_errno;
		s->has_elapsed = e->has_elapsed;
		s->elapsed_ms = e->elapsed_ms;
		s->has_boundary = e->has_boundary;
		s->boundary_offset_ms = e->boundary_offset_ms;
		s->has_step = e->has_step;
		s->step_index = e->step_index;
	}
	entry_free(e);
}

/*
 * Empty the store into @out in insertion order. Every sample comes out
 * of @tab, so @tab's size bounds the result and the one allocation comes
 * before anything is taken: -ENOMEM leaves the store whole.
 */
static int drain(struct ktstr_bridge *b, struct ktstr_bridge_sample **out, size_t *n,
		 bool with_stats, const char *variant)
{
	struct ktstr_bridge_sample *s;
	size_t i, k = 0;

	if (!out || !n)
		return -EINVAL;
	*out = NULL;
	*n = 0;
	if (!b)
		return -EINVAL;
	pthread_mutex_lock(&b->lock);
	if (!b->nr_tab) {
		b->nr_order = 0;
		pthread_mutex_unlock(&b->lock);
		return 0;
	}
	s = calloc(b->nr_tab, sizeof(*s));
	if (!s) {
		pthread_mutex_unlock(&b->lock);
		return -ENOMEM;
	}
	for (i = 0; i < b->nr_order; i++) {
		ssize_t j = tab_find_entry(b, b->order[i]);

		if (j < 0)
			continue;
		entry_to_sample(b->tab[j], &s[k++], with_stats);
		tab_remove(b, j);
	}
	b->nr_order = 0;
	/*
	 * Whatever @tab still holds was missing from @order: surface it at
	 * the tail, never drop it, and say so.
	 */
	for (i = 0; i < b->nr_tab; i++) {
		event_push_tag(b, KTSTR_BEV_DRAIN_ORDER_VIOLATION, b->tab[i]->tag, variant);
		entry_to_sample(b->tab[i], &s[k++], with_stats);
	}
	b->nr_tab = 0;
	pthread_mutex_unlock(&b->lock);
	*out = s;
	*n = k;
	return 0;
}

int ktstr_bridge__drain_ordered(struct ktstr_bridge *b,
				struct ktstr_bridge_sample **out, size_t *n)
{
	return drain(b, out, n, false, "drain_ordered");
}

int ktstr_bridge__drain_ordered_with_stats(struct ktstr_bridge *b,
					   struct ktstr_bridge_sample **out, size_t *n)
{
	return drain(b, out, n, true, "drain_ordered_with_stats");
}

void ktstr_bridge__free_samples(struct ktstr_bridge_sample *s, size_t n)
{
	if (!s)
		return;
	for (size_t i = 0; i < n; i++) {
		free(s[i].tag);
		ktstr_dump__free(s[i].report);
		free(s[i].stats_json);
	}
	free(s);
}

int ktstr_bridge__drain_events(struct ktstr_bridge *b,
			       struct ktstr_bridge_event **out, size_t *n)
{
	struct ktstr_bridge_event *e;
	size_t i, total;

	if (!out || !n)
		return -EINVAL;
	*out = NULL;
	*n = 0;
	if (!b)
		return -EINVAL;
	pthread_mutex_lock(&b->lock);
	total = b->nr_ev + (b->ev_dropped ? 1 : 0);
	if (!total) {
		pthread_mutex_unlock(&b->lock);
		return 0;
	}
	e = calloc(total, sizeof(*e));
	if (!e) {
		pthread_mutex_unlock(&b->lock);
		return -ENOMEM;
	}
	for (i = 0; i < b->nr_ev; i++) {
		struct ktstr_bridge_event *src =
			&b->ev[(b->ev_head + i) % KTSTR_BRIDGE_MAX_EVENTS];

		e[i] = *src;
		memset(src, 0, sizeof(*src));
	}
	if (b->ev_dropped) {
		e[i].kind = KTSTR_BEV_LOG_TRUNCATED;
		e[i].count = b->ev_dropped;
	}
	b->ev_head = 0;
	b->nr_ev = 0;
	b->ev_dropped = 0;
	pthread_mutex_unlock(&b->lock);
	*out = e;
	*n = total;
	return 0;
}

size_t ktstr_bridge__event_count(struct ktstr_bridge *b)
{
	size_t n;

	if (!b)
		return 0;
	pthread_mutex_lock(&b->lock);
	n = b->nr_ev;
	pthread_mutex_unlock(&b->lock);
	return n;
}

void ktstr_bridge__free_events(struct ktstr_bridge_event *e, size_t n)
{
	if (!e)
		return;
	for (size_t i = 0; i < n; i++)
		event_release(&e[i]);
	free(e);
}

static void set_why(char *why, size_t why_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_why(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !why_len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
}

int ktstr_bridge__register_watch(struct ktstr_bridge *b, const char *symbol,
				 char *why, size_t why_len)
{
	unsigned int cur;
	ktstr_watch_fn fn;
	void *ctx;
	int ret;

	if (why && why_len)
		why[0] = '\0';
	if (!b || !symbol) {
		set_why(why, why_len, "register_watch: no bridge or no symbol");
		return -EINVAL;
	}
	cur = atomic_load_explicit(&b->watch_count, memory_order_relaxed);
	do {
		if (cur >= KTSTR_BRIDGE_MAX_WATCHES) {
			set_why(why, why_len,
				"watch '%s': the cap of %d user watchpoints is reached (slot 0 is reserved for the error trigger)",
				symbol, KTSTR_BRIDGE_MAX_WATCHES);
			return -ENOSPC;
		}
	} while (!atomic_compare_exchange_weak_explicit(&b->watch_count, &cur, cur + 1,
							memory_order_acq_rel,
							memory_order_relaxed));
	/* The slot is ours; every failure below gives it back. */
	pthread_mutex_lock(&b->lock);
	fn = b->watch;
	ctx = b->watch_ctx;
	pthread_mutex_unlock(&b->lock);
	if (!fn) {
		atomic_fetch_sub_explicit(&b->watch_count, 1, memory_order_acq_rel);
		set_why(why, why_len,
			"watch '%s': no watch callback on this bridge (ktstr_bridge__set_watch)",
			symbol);
		return -EOPNOTSUPP;
	}
	ret = fn(ctx, symbol, why, why_len);
	if (ret) {
		atomic_fetch_sub_explicit(&b->watch_count, 1, memory_order_acq_rel);
		/* A callback that failed without a negative errno still failed. */
		if (ret > 0)
			ret = -EINVAL;
		if (why && why_len && !why[0])
			set_why(why, why_len, "watch '%s': arming failed: %s", symbol,
				strerror(-ret));
		if (why && why_len)
			why[why_len - 1] = '\0';
		return ret;
	}
	return 0;
}

unsigned int ktstr_bridge__watch_count(struct ktstr_bridge *b)
{
	return b ? atomic_load_explicit(&b->watch_count, memory_order_acquire) : 0;
}
