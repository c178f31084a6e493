/* mail.c — one message with attachments over SMTP through libcurl's MIME API (see mail.h).
 * Calls httpc, buf and err. */
#include "mail.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "banned.h"

static pthread_once_t mail_curl_once = PTHREAD_ONCE_INIT;
static CURLcode mail_curl_rc;

static void mail_curl_init(void)
{
    mail_curl_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- addresses and headers ---- */

static int valid_address(const char *a)
{
    const char *at = strchr(a, '@');
    if (!at || at == a || !at[1] || strchr(at + 1, '@') || strlen(a) > 254)
        return 0;
    for (const char *p = a; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= ' ' || c == '<' || c == '>' || c == ',' || c == ';' || c == '"' || c == 0x7f ||
            c == '(' || c == ')' || c == '[' || c == ']' || c == '\\')
            return 0;
    }
    return 1;
}

int mail_parse_addresses(const char *text, char ***out, size_t *n, struct err *e)
{
    *out = NULL;
    *n = 0;
    const char *p = text ? text : "";
    while (*p) {
        while (*p == ' ' || *p == ',' || *p == ';' || *p == '\t')
            p++;
        if (!*p)
            break;
        size_t len = strcspn(p, ",; \t");
        char *a = xstrndup(p, len);
        if (!valid_address(a)) {
            err_set(e, ERR_USAGE,
                    "\"%s\" is not an e-mail address (write name@domain, several "
                    "separated by commas)",
                    a);
            free(a);
            for (size_t i = 0; i < *n; i++)
                free((*out)[i]);
            free(*out);
            *out = NULL;
            *n = 0;
            return ERR_USAGE;
        }
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        (*out)[(*n)++] = a;
        p += len;
    }
    if (*n == 0)
        return err_set(e, ERR_USAGE, "no e-mail address given");
    return 0;
}

int mail_host_is_local(const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    const char *at = strchr(p, '@');
    size_t auth = strcspn(p, "/?#");
    if (at && (size_t)(at - p) < auth)
        p = at + 1;
    char host[256];
    size_t n;
    if (*p == '[') {
        n = strcspn(p + 1, "]");
        if (n >= sizeof host)
            return 0;
        memcpy(host, p + 1, n);
    } else {
        n = strcspn(p, ":/?#");
        if (n >= sizeof host)
            return 0;
        memcpy(host, p, n);
    }
    host[n] = '\0';
    if (!strcasecmp(host, "localhost") || !strcmp(host, "::1"))
        return 1;
    /* 127.0.0.0/8: the loopback network */
    return !strncmp(host, "127.", 4) && strspn(host, "0123456789.") == n;
}

static int header_safe(const char *s)
{
    for (; *s; s++)
        if (*s == '\r' || *s == '\n')
            return 0;
    return 1;
}

static int is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

/* "Subject: text", RFC 2047 encoded words (UTF-8, base64) when text is not ASCII; words
 * hold at most 45 bytes of text, cut between UTF-8 characters. */
static void subject_header(const char *subject, struct buf *out)
{
    buf_puts(out, "Subject: ");
    if (is_ascii(subject)) {
        buf_puts(out, subject);
        return;
    }
    size_t len = strlen(subject), pos = 0;
    while (pos < len) {
        size_t take = len - pos < 45 ? len - pos : 45;
        while (pos + take < len && ((unsigned char)subject[pos + take] & 0xC0) == 0x80)
            take--;
        char b64[128];
        sodium_bin2base64(b64, sizeof b64, (const unsigned char *)subject + pos, take,
                          sodium_base64_VARIANT_ORIGINAL);
        buf_printf(out, "%s=?UTF-8?B?%s?=", pos ? " " : "", b64);
        pos += take;
    }
}

static void date_header(struct buf *out)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
               months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* ---- one attempt ---- */

struct answer {
    char last[512]; /* the server's last refusal (a 4xx or 5xx answer line) */
};

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *userp)
{
    (void)h;
    struct answer *a = userp;
    /* Only what the server says: what we send (HEADER_OUT) carries AUTH with the password. */
    if (type != CURLINFO_HEADER_IN || size < 3)
        return 0;
    size_t n = size < sizeof a->last - 1 ? size : sizeof a->last - 1;
    while (n && (data[n - 1] == '\r' || data[n - 1] == '\n'))
        n--;
    if (n >= 3 && (data[0] == '4' || data[0] == '5') && isdigit((unsigned char)data[1])) {
        memcpy(a->last, data, n);
        a->last[n] = '\0';
    }
    return 0;
}

static void host_of(const char *url, struct buf *out)
{
    httpc_url_host(url, out);
}

/* Whether another attempt may succeed: the server's refusal decides when there was one
 * (4xx: try later, 5xx: never), else the kind of failure. */
static int transient(CURLcode rc, const struct answer *a)
{
    if (a->last[0])
        return a->last[0] == '4';
    return rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT ||
           rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING;
}

static void default_sleep(void *ctx, double seconds)
{
    (void)ctx;
    struct timespec ts;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static int attempt(const struct mail_server *sv, const struct mail_message *m, int *retry,
                   struct err *e)
{
    *retry = 0;
    CURL *h = curl_easy_init();
    if (!h)
        return err_set(e, ERR_IO, "libcurl could not start a transfer");
    struct curl_slist *rcpt = NULL, *headers = NULL, *resolve = NULL;
    struct buf line = BUF_INIT, from = BUF_INIT, host = BUF_INIT;
    struct answer ans = {""};
    char errbuf[CURL_ERROR_SIZE] = "";
    int rc = 0;
    host_of(sv->url, &host);

    buf_printf(&from, "<%s>", m->from);
    for (size_t i = 0; i < m->nto; i++) {
        buf_reset(&line);
        buf_printf(&line, "<%s>", m->to[i]);
        rcpt = curl_slist_append(rcpt, buf_cstr(&line));
    }
    buf_reset(&line);
    date_header(&line);
    headers = curl_slist_append(headers, buf_cstr(&line));
    buf_reset(&line);
    buf_printf(&line, "From: %s", m->from);
    headers = curl_slist_append(headers, buf_cstr(&line));
    buf_reset(&line);
    buf_puts(&line, "To: ");
    for (size_t i = 0; i < m->nto; i++)
        buf_printf(&line, "%s%s", i ? ", " : "", m->to[i]);
    headers = curl_slist_append(headers, buf_cstr(&line));
    buf_reset(&line);
    subject_header(m->subject ? m->subject : "", &line);
    headers = curl_slist_append(headers, buf_cstr(&line));
    buf_reset(&line);
    unsigned char id[12];
    char idhex[25];
    randombytes_buf(id, sizeof id);
    sodium_bin2hex(idhex, sizeof idhex, id, sizeof id);
    const char *domain = strchr(m->from, '@');
    buf_printf(&line, "Message-ID: <%s.infludash%s>", idhex, domain ? domain : "@localhost");
    headers = curl_slist_append(headers, buf_cstr(&line));
    for (const char *const *r = sv->resolve; r && *r; r++)
        resolve = curl_slist_append(resolve, *r);

    curl_mime *mime = curl_mime_init(h);
    curl_mimepart *part = curl_mime_addpart(mime);
    curl_mime_data(part, m->text ? m->text : "", CURL_ZERO_TERMINATED);
    curl_mime_type(part, "text/plain; charset=utf-8");
    curl_mime_encoder(part, "quoted-printable");
    for (size_t i = 0; i < m->nattachments; i++) {
        const struct mail_attachment *a = &m->attachments[i];
        part = curl_mime_addpart(mime);
        curl_mime_data(part, a->data, a->len);
        curl_mime_filename(part, a->filename);
        curl_mime_type(part, a->content_type ? a->content_type : "application/octet-stream");
        curl_mime_encoder(part, "base64");
    }

    int local = mail_host_is_local(sv->url);
    curl_easy_setopt(h, CURLOPT_URL, sv->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_USE_SSL, (long)(local ? CURLUSESSL_TRY : CURLUSESSL_ALL));
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (sv->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, sv->ca_file);
    if (resolve)
        curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
    if (sv->user && *sv->user) {
        curl_easy_setopt(h, CURLOPT_USERNAME, sv->user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, sv->password ? sv->password : "");
    }
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, buf_cstr(&from));
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 15000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, sv->timeout_ms > 0 ? sv->timeout_ms : 60000L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, &ans);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);

    CURLcode crc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (crc != CURLE_OK) {
        *retry = transient(crc, &ans);
        if (crc == CURLE_USE_SSL_FAILED)
            rc = err_set(e, ERR_IO,
                         "the mail server %s does not offer STARTTLS, which a server that is not "
                         "on this machine must: use an smtps:// URL or a server that encrypts "
                         "(%s)",
                         buf_cstr(&host), errbuf[0] ? errbuf : curl_easy_strerror(crc));
        else if (crc == CURLE_LOGIN_DENIED)
            rc =
                err_set(e, ERR_IO,
                        "the mail server %s refused the login of user \"%s\" (%s): check "
                        "--smtp-user and --smtp-password-file",
                        buf_cstr(&host), sv->user ? sv->user : "", ans.last[0] ? ans.last : errbuf);
        else if (ans.last[0])
            rc = err_set(e, ERR_IO, "the mail server %s refused the message: %s (%s)",
                         buf_cstr(&host), ans.last, errbuf[0] ? errbuf : curl_easy_strerror(crc));
        else
            rc = err_set(e, ERR_IO, "cannot send mail through %s: %s%s%s", buf_cstr(&host),
                         curl_easy_strerror(crc), errbuf[0] ? ": " : "", errbuf);
        httpc_scrub_err(e, sv->password);
    }
    curl_mime_free(mime);
    curl_slist_free_all(rcpt);
    curl_slist_free_all(headers);
    curl_slist_free_all(resolve);
    curl_easy_cleanup(h);
    buf_release(&line);
    buf_release(&from);
    buf_release(&host);
    return rc;
}

int mail_send(const struct mail_server *sv, const struct mail_message *m, int *attempts,
              struct err *e)
{
    if (attempts)
        *attempts = 0;
    if (!sv->url ||
        (strncasecmp(sv->url, "smtp://", 7) != 0 && strncasecmp(sv->url, "smtps://", 8) != 0))
        return err_set(e, ERR_USAGE,
                       "\"%s\" is not an SMTP address: use smtp://HOST:587 (STARTTLS) "
                       "or smtps://HOST:465",
                       sv->url ? sv->url : "");
    if (!m->from || !valid_address(m->from))
        return err_set(e, ERR_USAGE, "the sender \"%s\" is not an e-mail address (--mail-from)",
                       m->from ? m->from : "");
    if (m->nto == 0)
        return err_set(e, ERR_USAGE, "no recipient for the mail (--mail a@b,c@d)");
    for (size_t i = 0; i < m->nto; i++)
        if (!valid_address(m->to[i]))
            return err_set(e, ERR_USAGE, "\"%s\" is not an e-mail address", m->to[i]);
    if (m->subject && !header_safe(m->subject))
        return err_set(e, ERR_USAGE, "the subject may not contain line breaks");
    for (size_t i = 0; i < m->nattachments; i++)
        if (!m->attachments[i].filename || !header_safe(m->attachments[i].filename) ||
            strchr(m->attachments[i].filename, '"'))
            return err_set(e, ERR_USAGE, "attachment %zu has no usable file name", i + 1);
    pthread_once(&mail_curl_once, mail_curl_init);
    if (mail_curl_rc != CURLE_OK || sodium_init() < 0)
        return err_set(e, ERR_IO, "libcurl or libsodium could not start");
    int max = sv->max_attempts > 0 ? sv->max_attempts : 3;
    double wait = sv->backoff_initial > 0 ? sv->backoff_initial : 5;
    httpc_sleep_fn sleep_fn = sv->sleep ? sv->sleep : default_sleep;
    int rc = 0;
    for (int n = 1; n <= max; n++) {
        int retry = 0;
        if (attempts)
            *attempts = n;
        rc = attempt(sv, m, &retry, e);
        if (rc == 0 || !retry || n == max)
            break;
        sleep_fn(sv->sleep_ctx, wait);
        wait *= 2;
    }
    if (rc != 0 && attempts && *attempts > 1) {
        size_t len = strlen(e->msg);
        snprintf(e->msg + len, sizeof e->msg - len, " (tried %d times)", *attempts);
    }
    return rc;
}
