/* prefetch.h — hints that bring memory into this core's cache before it is used. They
 * change nothing a program computes, only how long its first access to the memory waits.
 * For a loop that fills or reads records another thread used last (the import's batches of
 * rows, passed from the parser to the writer and the engine's feed): the parser's first
 * stores to a recycled row waited on the writer's core giving up its copies of the lines
 * (schema_rows_prefetch). Calls libc. */
#ifndef INFLUDASH_PREFETCH_H
#define INFLUDASH_PREFETCH_H

#include <stddef.h>

/* Asks for the cache lines of [p, p + len) to be fetched for writing: taken for this core,
 * so that its stores need not wait (x86's PREFETCHW where the CPU has it, else a plain
 * prefetch). */
void prefetch_for_write(const void *p, size_t len);
/* The same for reading. */
void prefetch_for_read(const void *p, size_t len);

#endif
