/* cache.c - the verdict cache: an LRU of verdict bodies keyed by the
 * SHA-256 of everything a verdict depends on (bundle bytes, digest, names,
 * policy override, trust generation; see verify.c), and of the raw request
 * bytes that were found to ask that question. Bounded in entries; a
 * verdict other than "verified" lives only cache_failure_ttl seconds so a
 * transient cause (a clock step, a fixed trusted root) is re-checked soon.
 * One mutex: a lookup is a hash probe and a list splice, far shorter than
 * any verification it saves. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pyverifyd.h"

struct entry {
	uint8_t key[32];
	int http_code, verdict;
	char *body;
	int64_t expires;
	struct entry *hnext;          /* hash chain */
	struct entry *prev, *next;    /* LRU list, head = most recent */
};

static struct {
	pthread_mutex_t mu;
	struct entry **buckets;
	size_t n_buckets, n, cap;
	struct entry *head, *tail;
	unsigned ttl, failure_ttl;
} C = { .mu = PTHREAD_MUTEX_INITIALIZER };

int
pvd_cache_init(unsigned entries, unsigned ttl, unsigned failure_ttl)
{
	/* --cache-entries counts questions; a JSON question is kept under
	 * two keys (its request bytes and its parsed form), so twice as
	 * many slots hold N of them. */
	C.cap = (size_t)entries * 2;
	C.ttl = ttl;
	C.failure_ttl = failure_ttl;
	if (entries == 0)
		return 0;
	C.n_buckets = C.cap * 2;
	C.buckets = calloc(C.n_buckets, sizeof(*C.buckets));
	return C.buckets != NULL ? 0 : -1;
}

static size_t
bucket_of(const uint8_t key[32])
{
	uint64_t h;

	/* The key is a SHA-256 already: any 8 bytes are uniform. */
	memcpy(&h, key, sizeof(h));
	return (size_t)(h % C.n_buckets);
}

static void
list_unlink(struct entry *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		C.head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		C.tail = e->prev;
	e->prev = e->next = NULL;
}

static void
list_push_front(struct entry *e)
{
	e->prev = NULL;
	e->next = C.head;
	if (C.head != NULL)
		C.head->prev = e;
	C.head = e;
	if (C.tail == NULL)
		C.tail = e;
}

static void
remove_entry(struct entry *e)
{
	struct entry **pp = &C.buckets[bucket_of(e->key)];

	while (*pp != NULL && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp == e)
		*pp = e->hnext;
	list_unlink(e);
	free(e->body);
	free(e);
	C.n--;
}

static struct entry *
find(const uint8_t key[32])
{
	struct entry *e = C.buckets[bucket_of(key)];

	while (e != NULL && memcmp(e->key, key, 32) != 0)
		e = e->hnext;
	return e;
}

int
pvd_cache_get(const uint8_t key[32], struct pvd_cached *out)
{
	struct entry *e;
	int hit = 0;

	if (C.cap == 0)
		return 0;
	pthread_mutex_lock(&C.mu);
	e = find(key);
	if (e != NULL && e->expires <= pvd_unix_now()) {
		remove_entry(e);
		e = NULL;
	}
	if (e != NULL) {
		out->body = strdup(e->body);
		if (out->body != NULL) {
			out->expires = e->expires;
			out->http_code = e->http_code;
			out->verdict = e->verdict;
			list_unlink(e);
			list_push_front(e);
			hit = 1;
		}
	}
	pthread_mutex_unlock(&C.mu);
	return hit;
}

void
pvd_cache_put(const uint8_t key[32], int http_code, int verdict,
              const char *body, int64_t expires)
{
	unsigned ttl = verdict == PYVERIFY_RELEASE_VERIFIED ? C.ttl : C.failure_ttl;
	struct entry *e;
	char *copy;

	if (C.cap == 0 || ttl == 0)
		return;
	copy = strdup(body);
	if (copy == NULL)
		return; /* a cache that cannot grow just misses */
	pthread_mutex_lock(&C.mu);
	e = find(key);
	if (e != NULL)
		remove_entry(e);
	while (C.n >= C.cap && C.tail != NULL)
		remove_entry(C.tail);
	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		pthread_mutex_unlock(&C.mu);
		free(copy);
		return;
	}
	memcpy(e->key, key, 32);
	e->http_code = http_code;
	e->verdict = verdict;
	e->body = copy;
	e->expires = expires != 0 ? expires : pvd_unix_now() + ttl;
	e->hnext = C.buckets[bucket_of(key)];
	C.buckets[bucket_of(key)] = e;
	list_push_front(e);
	C.n++;
	pthread_mutex_unlock(&C.mu);
}

void
pvd_cache_free(void)
{
	pthread_mutex_lock(&C.mu);
	while (C.head != NULL)
		remove_entry(C.head);
	free(C.buckets);
	C.buckets = NULL;
	C.cap = 0;
	pthread_mutex_unlock(&C.mu);
}
