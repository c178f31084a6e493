/* prefetch.c — the hints of prefetch.h: PREFETCHW where CPUID says the CPU has it, else the
 * compiler's prefetch. Calls only libc. */
#include "prefetch.h"

#include <pthread.h>
#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "banned.h"

#define LINE 64

#if defined(__x86_64__) || defined(__i386__)
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static int have_prefetchw;

/* PREFETCHW is the PRFCHW feature: CPUID 0x80000001, ECX bit 8. GCC emits it for
 * __builtin_prefetch(p, 1) only when built for such CPUs (-mprfchw), so it is asked for
 * here once and written by hand. */
static void probe(void)
{
    unsigned a, b, c, d;
    have_prefetchw = __get_cpuid(0x80000001u, &a, &b, &c, &d) && (c & (1u << 8));
}
#endif

/* The start of the cache line that holds p. */
static const char *first_line(const void *p)
{
    return (const char *)((uintptr_t)p & ~(uintptr_t)(LINE - 1));
}

void prefetch_for_write(const void *p, size_t len)
{
    if (len == 0)
        return;
    const char *end = (const char *)p + len;
#if defined(__x86_64__) || defined(__i386__)
    pthread_once(&probe_once, probe);
    if (have_prefetchw) {
        for (const char *at = first_line(p); at < end; at += LINE)
            __asm__ volatile("prefetchw %0" : : "m"(*at));
        return;
    }
#endif
    for (const char *at = first_line(p); at < end; at += LINE)
        __builtin_prefetch(at, 1);
}

void prefetch_for_read(const void *p, size_t len)
{
    if (len == 0)
        return;
    const char *end = (const char *)p + len;
    for (const char *at = first_line(p); at < end; at += LINE)
        __builtin_prefetch(at, 0);
}
