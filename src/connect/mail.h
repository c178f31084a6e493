/* mail.h — sending a scheduled report by e-mail (SPEC §9 `--mail`, `--smtp`): one message
 * with a short text body and attachments (base64), as multipart/mixed, over SMTP with
 * libcurl. smtp://HOST[:PORT] upgrades with STARTTLS whenever the server offers it, and
 * requires it unless the host is local (127.0.0.1, localhost, ::1); smtps:// is TLS from
 * the start. Certificates are verified. Transient failures (a connection that fails, a 4xx
 * answer) are retried with backoff; the error names the server's own answer ("550 5.1.1
 * <x@y>: Recipient address rejected"). The password is never in a message.
 * Calls libcurl, httpc (its sleep type), buf and err. Thread-safe like httpc. */
#ifndef INFLUDASH_MAIL_H
#define INFLUDASH_MAIL_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "httpc.h"

struct mail_server {
    const char *url;  /* smtp://host:587, smtps://host:465 */
    const char *user; /* NULL: no login */
    const char *password;
    const char *ca_file;        /* trust anchors instead of the system's (tests); NULL: system */
    const char *const *resolve; /* "HOST:PORT:ADDRESS" entries that bypass DNS, as curl's
                                 * --resolve (NULL-terminated; NULL: none) */
    long timeout_ms;            /* per attempt, default 60 s */
    int max_attempts;           /* default 3 */
    double backoff_initial;     /* default 5 s, doubled each time */
    httpc_sleep_fn sleep;       /* NULL: nanosleep */
    void *sleep_ctx;
};

struct mail_attachment {
    const char *filename;     /* as the receiver sees it: "report-2026-11-23.pdf" */
    const char *content_type; /* "application/pdf" */
    const char *data;
    size_t len;
};

struct mail_message {
    const char *from;      /* an address: reports@brand.in */
    const char *const *to; /* addresses */
    size_t nto;
    const char *subject; /* UTF-8; encoded (RFC 2047) when not plain ASCII */
    const char *text;    /* the body, UTF-8 */
    const struct mail_attachment *attachments;
    size_t nattachments;
};

/* Sends the message. ERR_USAGE for an address or subject that cannot go into a header
 * (line breaks, no @), ERR_IO when the server could not be reached or refused, with its
 * answer in the message; the attempts made go to *attempts when not NULL. */
int mail_send(const struct mail_server *server, const struct mail_message *m, int *attempts,
              struct err *e);

/* Splits "a@b.in, c@d.in" into addresses: each a malloc'd string in *out (free each and the
 * array). ERR_USAGE naming an address that is not one. */
int mail_parse_addresses(const char *text, char ***out, size_t *n, struct err *e);

/* Whether the SMTP URL's host is this machine (where STARTTLS is not required). */
int mail_host_is_local(const char *url);

#endif
