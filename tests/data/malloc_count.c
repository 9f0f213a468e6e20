/* Counts heap allocations made by one thread, for tests/test_engine_alloc.py.
 * LD_PRELOADed; mc_start()/mc_stop() bracket the region to count (thread-local flag, so other
 * threads' allocations are not counted). Calls through to the real allocator (dlsym RTLD_NEXT). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

static __thread int counting = 0;
static __thread long count = 0;

void mc_start(void) { count = 0; counting = 1; }
long mc_stop(void) { counting = 0; return count; }

#define NEXT(name) static __typeof__(name) *real = 0; if (!real) real = dlsym(RTLD_NEXT, #name); \
    if (counting) count++;

void *malloc(size_t n) { NEXT(malloc) return real(n); }
void *calloc(size_t a, size_t n) {
    /* dlsym may call calloc before `real` is set: serve that from a static arena */
    static char arena[4096]; static size_t used = 0; static int resolving = 0;
    static __typeof__(calloc) *real = 0;
    if (!real) {
        if (resolving) { void *p = arena + used; used += (a * n + 15) & ~(size_t)15; return p; }
        resolving = 1; real = dlsym(RTLD_NEXT, "calloc"); resolving = 0;
    }
    if (counting) count++;
    return real(a, n);
}
void *realloc(void *p, size_t n) { NEXT(realloc) return real(p, n); }
int posix_memalign(void **p, size_t a, size_t n) { NEXT(posix_memalign) return real(p, a, n); }
void *aligned_alloc(size_t a, size_t n) { NEXT(aligned_alloc) return real(a, n); }
void *memalign(size_t a, size_t n) { NEXT(memalign) return real(a, n); }
