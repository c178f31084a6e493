/* banned.h — functions we never call; include it last in every .c file.
 * Each is unsafe with untrusted input or thread-unsafe; the replacement is named. */
#ifndef INFLUDASH_BANNED_H
#define INFLUDASH_BANNED_H

#define BANNED(func) sorry_##func##_is_banned

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)     /* use snprintf or memcpy with a length */
#undef strcat
#define strcat(x, y) BANNED(strcat)     /* use struct buf */
#undef sprintf
#define sprintf(...) BANNED(sprintf)    /* use snprintf */
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)  /* use vsnprintf */
#undef strtok
#define strtok(x, y) BANNED(strtok)     /* not reentrant */
#undef atoi
#define atoi(x) BANNED(atoi)            /* use strtoll with an end pointer */
#undef atof
#define atof(x) BANNED(atof)            /* use strtod with an end pointer */
#undef gmtime
#define gmtime(x) BANNED(gmtime)        /* use gmtime_r */
#undef localtime
#define localtime(x) BANNED(localtime)  /* use localtime_r */

#endif
