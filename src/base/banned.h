/* banned.h — functions we never call; include it last in every .c file (ctest banned,
 * scripts/check-banned.py, checks that each file does and that each ban stops a call).
 * Each is unsafe with untrusted input, silently cuts or fails to terminate text, races, or is
 * thread-unsafe; the replacement is named. */
#ifndef INFLUDASH_BANNED_H
#define INFLUDASH_BANNED_H

#define BANNED(func) sorry_##func##_is_banned

/* One ban a line, its replacement beside it. */
/* clang-format off */
#undef strcpy
#define strcpy(x, y) BANNED(strcpy)         /* use snprintf or memcpy with a length */
#undef strcat
#define strcat(x, y) BANNED(strcat)         /* use struct buf */
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)    /* leaves x unterminated when y is long: snprintf */
#undef strncat
#define strncat(x, y, n) BANNED(strncat)    /* n is what is left, not the size: struct buf */
#undef sprintf
#define sprintf(...) BANNED(sprintf)        /* use snprintf */
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)      /* use vsnprintf */
#undef gets
#define gets(x) BANNED(gets)                /* no bound at all: fgets */
#undef strtok
#define strtok(x, y) BANNED(strtok)         /* not reentrant */
#undef atoi
#define atoi(x) BANNED(atoi)                /* use strtoll with an end pointer */
#undef atol
#define atol(x) BANNED(atol)                /* use strtoll with an end pointer */
#undef atoll
#define atoll(x) BANNED(atoll)              /* use strtoll with an end pointer */
#undef atof
#define atof(x) BANNED(atof)                /* use strtod with an end pointer */
#undef gmtime
#define gmtime(x) BANNED(gmtime)            /* use gmtime_r */
#undef localtime
#define localtime(x) BANNED(localtime)      /* use localtime_r */
#undef ctime
#define ctime(x) BANNED(ctime)              /* static buffer: strftime with gmtime_r */
#undef ctime_r
#define ctime_r(x, y) BANNED(ctime_r)       /* local time, unbounded: strftime with gmtime_r */
#undef asctime
#define asctime(x) BANNED(asctime)          /* static buffer: strftime */
#undef asctime_r
#define asctime_r(x, y) BANNED(asctime_r)   /* unbounded: strftime */
#undef mktemp
#define mktemp(x) BANNED(mktemp)            /* the name races: mkstemp or mkdtemp */
#undef tmpnam
#define tmpnam(x) BANNED(tmpnam)            /* the name races: mkstemp or tmpfile */
#undef tempnam
#define tempnam(x, y) BANNED(tempnam)       /* the name races: mkstemp or tmpfile */
/* clang-format on */

#endif
