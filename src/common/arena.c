/* arena.c: capped bump allocator in growing chunks. */
#include "common/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "common/alloc.h"

struct lf_arena_chunk {
	struct lf_arena_chunk *next;
	size_t size;
	size_t off;
	alignas(max_align_t) unsigned char mem[];
};

void lf_arena_init(struct lf_arena *a, size_t max)
{
	a->head = NULL;
	a->used = 0;
	a->max = max;
}

void *lf_arena_alloc(struct lf_arena *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	size_t need = (n + align - 1) & ~(align - 1);
	if (need < n || need > a->max - a->used)
		return NULL;
	struct lf_arena_chunk *c = a->head;
	if (!c || c->size - c->off < need) {
		size_t size = c ? c->size * 2 : 4096;
		if (size < need)
			size = need;
		c = lf_malloc(sizeof(*c) + size);
		c->next = a->head;
		c->size = size;
		c->off = 0;
		a->head = c;
	}
	void *p = c->mem + c->off;
	c->off += need;
	a->used += need;
	memset(p, 0, n);
	return p;
}

char *lf_arena_strndup(struct lf_arena *a, const char *s, size_t n)
{
	char *p = lf_arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void lf_arena_free(struct lf_arena *a)
{
	struct lf_arena_chunk *c = a->head;
	while (c) {
		struct lf_arena_chunk *next = c->next;
		lf_free(c);
		c = next;
	}
	a->head = NULL;
	a->used = 0;
}
