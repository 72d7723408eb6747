/* arena.h: a bump allocator with a hard cap, freed all at once; parsed messages live in one. */
#ifndef LF_ARENA_H
#define LF_ARENA_H

#include <stddef.h>

struct lf_arena_chunk;

struct lf_arena {
	struct lf_arena_chunk *head;
	size_t used;  /* bytes handed out so far, across chunks */
	size_t max;   /* hard cap on used */
};

void lf_arena_init(struct lf_arena *a, size_t max);
/* lf_arena_alloc: n zeroed bytes, aligned for any type; NULL when the cap would be passed. */
void *lf_arena_alloc(struct lf_arena *a, size_t n);
/* lf_arena_strndup: copy of s[0..n) plus NUL; NULL when over the cap. */
char *lf_arena_strndup(struct lf_arena *a, const char *s, size_t n);
/* lf_arena_free: release every chunk; the arena is empty and reusable afterwards. */
void lf_arena_free(struct lf_arena *a);

#endif
