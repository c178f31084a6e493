/* html.h — escaping for HTML text and quoted attribute values: the one place where text
 * becomes HTML. Invalid UTF-8 is replaced by U+FFFD, so a page is always valid UTF-8.
 * Calls buf and json (for its UTF-8 check). */
#ifndef INFLUDASH_HTML_H
#define INFLUDASH_HTML_H

#include <stddef.h>

#include "buf.h"

/* Appends s with & < > " ' written as entities: safe in element text and in attribute
 * values quoted with " or '. (For a capped buffer: write to &c->b, then cbuf_fits.) */
void html_escape(struct buf *out, const char *s, size_t len);
/* The same for a C string; NULL appends nothing. */
void html_puts(struct buf *out, const char *s);

#endif
