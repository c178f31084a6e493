/* test_mail.c — unit tests for sending reports by e-mail (src/mail.c) through a real local
 * SMTP server (tests/servers/smtp.py, aiosmtpd): the attachment read back from the stored
 * message and compared byte for byte, the encoded subject, STARTTLS with a certificate made
 * at test time (and refused without its trust anchor), login, STARTTLS required for a host
 * that is not local, a refused recipient named with the server's answer, a temporary
 * failure retried (the wait recorded, not slept), and address checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "buf.h"
#include "err.h"
#include "mail.h"
#include "testserver.h"
#include "testutil.h"
#include "banned.h"

struct fx {
    char dir[PATH_MAX];
    char out[PATH_MAX + 16];
    char tls[PATH_MAX + 16];
    char url[128];
    struct testserver srv;
    double waits[8];
    int nwaits;
};

static void record_sleep(void *ctx, double seconds)
{
    struct fx *f = ctx;
    if (f->nwaits < 8)
        f->waits[f->nwaits] = seconds;
    f->nwaits++;
}

static struct fx *fx_new(void)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(testutil_make_dir(f->dir, sizeof f->dir, "mail"));
    snprintf(f->out, sizeof f->out, "%s/out", f->dir);
    snprintf(f->tls, sizeof f->tls, "%s/tls", f->dir);
    return f;
}

static void fx_url(struct fx *f, const char *host)
{
    snprintf(f->url, sizeof f->url, "smtp://%s:%d", host, f->srv.port);
}

static void fx_free(struct fx *f)
{
    testserver_stop(&f->srv);
    testutil_remove_dir(f->out);
    testutil_remove_dir(f->tls);
    testutil_remove_dir(f->dir);
    free(f);
}

static void read_file(const char *path, struct buf *out)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("no file %s", path);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(out, chunk, n);
    fclose(fp);
}

/* A PDF-like attachment holding every byte value. */
static void make_attachment(struct buf *b)
{
    buf_puts(b, "%PDF-1.4\n");
    for (int i = 0; i < 100000; i++)
        buf_putc(b, (char)(unsigned char)((i * 7 + i / 256) & 0xff));
    buf_puts(b, "\n%%EOF\n");
}

/* The attachment named filename in a stored message, base64-decoded. */
static void attachment_of(const char *eml, const char *filename, struct buf *out)
{
    char needle[256];
    snprintf(needle, sizeof needle, "filename=\"%s\"", filename);
    const char *p = strstr(eml, needle);
    if (!p)
        fail_msg("no attachment %s in the message", filename);
    const char *body = strstr(p, "\r\n\r\n");
    assert_non_null(body);
    body += 4;
    const char *end = strstr(body, "\r\n--");
    assert_non_null(end);
    size_t cap = (size_t)(end - body);
    unsigned char *bin = malloc(cap + 1);
    size_t len = 0;
    assert_int_equal(sodium_base642bin(bin, cap + 1, body, (size_t)(end - body), "\r\n", &len, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    buf_append(out, bin, len);
    free(bin);
}

/* The Subject header's encoded words, decoded and joined. */
static void subject_of(const char *eml, struct buf *out)
{
    const char *p = strstr(eml, "\r\nSubject: ");
    assert_non_null(p);
    p += 11;
    const char *eol = strstr(p, "\r\n");
    while (p < eol) {
        const char *w = strstr(p, "=?UTF-8?B?");
        if (!w || w >= eol)
            break;
        w += 10;
        const char *we = strstr(w, "?=");
        unsigned char bin[128];
        size_t len = 0;
        assert_int_equal(sodium_base642bin(bin, sizeof bin, w, (size_t)(we - w), NULL, &len, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        buf_append(out, bin, len);
        p = we + 2;
    }
}

static const char *const SUBJECT = "Weekly report \xe2\x80\x93 MuscleBlaze, last full week, "
                                   "23\xe2\x80\x93"
                                   "29 Nov 2026 (\xe2\x82\xb9 revenue)";

static int send_report(struct fx *f, const struct mail_server *sv, const char *const *to,
                       size_t nto, const struct buf *pdf, int *attempts, struct err *e)
{
    (void)f;
    struct mail_attachment att = {"report-2026-11-23.pdf", "application/pdf", pdf->data, pdf->len};
    struct mail_message m = {
        .from = "reports@brand.example",
        .to = to,
        .nto = nto,
        .subject = SUBJECT,
        .text = "Revenue \xe2\x82\xb9"
                "12,34,567.00, ROAS 3.42.\r\nFilters: brand=MuscleBlaze.\r\n",
        .attachments = &att,
        .nattachments = 1,
    };
    return mail_send(sv, &m, attempts, e);
}

static void test_mail_attachment_arrives_byte_for_byte(void **state)
{
    (void)state;
    struct fx *f = fx_new();
    testserver_start(&f->srv, "smtp.py", "--out", f->out, NULL);
    fx_url(f, "127.0.0.1");
    struct buf pdf = BUF_INIT, eml = BUF_INIT, got = BUF_INIT, subject = BUF_INIT, meta = BUF_INIT;
    make_attachment(&pdf);
    struct mail_server sv = {.url = f->url};
    const char *to[] = {"analyst@brand.example", "cfo@brand.example"};
    struct err e;
    err_clear(&e);
    int attempts = 0;
    if (send_report(f, &sv, to, 2, &pdf, &attempts, &e) != 0)
        fail_msg("mail_send: %s", e.msg);
    assert_int_equal(attempts, 1);
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/msg-1.eml", f->out);
    read_file(path, &eml);
    attachment_of(buf_cstr(&eml), "report-2026-11-23.pdf", &got);
    assert_int_equal(got.len, pdf.len);
    assert_memory_equal(got.data, pdf.data, pdf.len);
    subject_of(buf_cstr(&eml), &subject);
    assert_string_equal(buf_cstr(&subject), SUBJECT);
    assert_non_null(strstr(buf_cstr(&eml), "Content-Type: multipart/mixed"));
    assert_non_null(strstr(buf_cstr(&eml), "Content-Type: application/pdf"));
    assert_non_null(strstr(buf_cstr(&eml), "To: analyst@brand.example, cfo@brand.example"));
    /* The text part is quoted-printable: '=' is =3D, the rupee sign =E2=82=B9. */
    assert_non_null(strstr(buf_cstr(&eml), "Filters: brand=3DMuscleBlaze."));
    assert_non_null(strstr(buf_cstr(&eml), "Revenue =E2=82=B912,34,567.00, ROAS 3.42."));
    snprintf(path, sizeof path, "%s/msg-1.json", f->out);
    read_file(path, &meta);
    assert_non_null(strstr(buf_cstr(&meta), "\"rcpt_tos\": [\"analyst@brand.example\", "
                                            "\"cfo@brand.example\"]"));
    assert_non_null(strstr(buf_cstr(&meta), "\"tls\": false"));
    buf_release(&pdf);
    buf_release(&eml);
    buf_release(&got);
    buf_release(&subject);
    buf_release(&meta);
    fx_free(f);
}

static void test_mail_starttls_and_login(void **state)
{
    (void)state;
    struct fx *f = fx_new();
    testserver_start(&f->srv, "smtp.py", "--out", f->out, "--starttls", f->tls, "--user", "reports",
                     "--password", "s3cret-pass", NULL);
    fx_url(f, "localhost");
    char ca[PATH_MAX * 2];
    snprintf(ca, sizeof ca, "%s/cert.pem", f->tls);
    struct buf pdf = BUF_INIT, meta = BUF_INIT;
    make_attachment(&pdf);
    const char *to[] = {"analyst@brand.example"};
    struct err e;
    err_clear(&e);

    /* Without the certificate's trust anchor: the TLS upgrade fails, and is not retried. */
    struct mail_server bad = {.url = f->url,
                              .user = "reports",
                              .password = "s3cret-pass",
                              .sleep = record_sleep,
                              .sleep_ctx = f};
    int attempts = 0;
    assert_int_equal(send_report(f, &bad, to, 1, &pdf, &attempts, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "cannot send mail through localhost"));
    assert_non_null(strstr(e.msg, "certificate"));
    assert_int_equal(attempts, 1);

    /* A wrong password: refused, named, and the password is not in the message. */
    struct mail_server wrong = {.url = f->url,
                                .user = "reports",
                                .password = "not-it-pass",
                                .ca_file = ca,
                                .sleep = record_sleep,
                                .sleep_ctx = f};
    assert_int_equal(send_report(f, &wrong, to, 1, &pdf, &attempts, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "refused the login of user \"reports\""));
    assert_null(strstr(e.msg, "not-it-pass"));

    struct mail_server sv = {
        .url = f->url, .user = "reports", .password = "s3cret-pass", .ca_file = ca};
    if (send_report(f, &sv, to, 1, &pdf, &attempts, &e) != 0)
        fail_msg("mail_send: %s", e.msg);
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/msg-1.json", f->out);
    read_file(path, &meta);
    assert_non_null(strstr(buf_cstr(&meta), "\"tls\": true"));
    assert_non_null(strstr(buf_cstr(&meta), "\"login\": \"reports\""));
    buf_release(&pdf);
    buf_release(&meta);
    fx_free(f);
}

static void test_mail_a_host_that_is_not_local_needs_starttls(void **state)
{
    (void)state;
    struct fx *f = fx_new();
    testserver_start(&f->srv, "smtp.py", "--out", f->out, NULL);
    /* mail.example.test reaches the local server, but by a name that is not local. */
    fx_url(f, "mail.example.test");
    char resolve[64];
    snprintf(resolve, sizeof resolve, "mail.example.test:%d:127.0.0.1", f->srv.port);
    const char *const entries[] = {resolve, NULL};
    struct buf pdf = BUF_INIT;
    make_attachment(&pdf);
    const char *to[] = {"analyst@brand.example"};
    struct mail_server sv = {.url = f->url, .resolve = entries};
    struct err e;
    err_clear(&e);
    assert_int_equal(send_report(f, &sv, to, 1, &pdf, NULL, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "the mail server mail.example.test"));
    assert_non_null(strstr(e.msg, "does not offer STARTTLS"));
    struct stat st;
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/msg-1.eml", f->out);
    assert_int_not_equal(stat(path, &st), 0); /* nothing was sent in clear */
    testserver_stop(&f->srv);

    /* The same name with a server that offers STARTTLS: sent, encrypted. */
    testserver_start(&f->srv, "smtp.py", "--out", f->out, "--starttls", f->tls, NULL);
    fx_url(f, "mail.example.test");
    snprintf(resolve, sizeof resolve, "mail.example.test:%d:127.0.0.1", f->srv.port);
    char ca[PATH_MAX * 2];
    snprintf(ca, sizeof ca, "%s/cert.pem", f->tls);
    sv.ca_file = ca;
    if (send_report(f, &sv, to, 1, &pdf, NULL, &e) != 0)
        fail_msg("mail_send: %s", e.msg);
    struct buf meta = BUF_INIT;
    snprintf(path, sizeof path, "%s/msg-1.json", f->out);
    read_file(path, &meta);
    assert_non_null(strstr(buf_cstr(&meta), "\"tls\": true"));
    buf_release(&meta);
    buf_release(&pdf);
    fx_free(f);
}

static void test_mail_refused_recipient_names_the_servers_answer(void **state)
{
    (void)state;
    struct fx *f = fx_new();
    testserver_start(&f->srv, "smtp.py", "--out", f->out, NULL);
    fx_url(f, "127.0.0.1");
    struct buf pdf = BUF_INIT;
    make_attachment(&pdf);
    const char *to[] = {"analyst@brand.example", "nobody@refused.test"};
    struct mail_server sv = {.url = f->url, .sleep = record_sleep, .sleep_ctx = f};
    struct err e;
    err_clear(&e);
    int attempts = 0;
    assert_int_equal(send_report(f, &sv, to, 2, &pdf, &attempts, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "the mail server 127.0.0.1"));
    if (!strstr(e.msg, "550 5.1.1 <nobody@refused.test>: Recipient address rejected"))
        fail_msg("message: %s", e.msg);
    assert_int_equal(attempts, 1); /* a 5xx answer is final */
    assert_int_equal(f->nwaits, 0);
    buf_release(&pdf);
    fx_free(f);
}

static void test_mail_temporary_failure_is_retried(void **state)
{
    (void)state;
    struct fx *f = fx_new();
    testserver_start(&f->srv, "smtp.py", "--out", f->out, "--tempfail", "1", NULL);
    fx_url(f, "127.0.0.1");
    struct buf pdf = BUF_INIT;
    make_attachment(&pdf);
    const char *to[] = {"analyst@brand.example"};
    struct mail_server sv = {
        .url = f->url, .sleep = record_sleep, .sleep_ctx = f, .backoff_initial = 30};
    struct err e;
    err_clear(&e);
    int attempts = 0;
    if (send_report(f, &sv, to, 1, &pdf, &attempts, &e) != 0)
        fail_msg("mail_send: %s", e.msg);
    assert_int_equal(attempts, 2);
    assert_int_equal(f->nwaits, 1);
    assert_true(f->waits[0] == 30.0);
    buf_release(&pdf);
    fx_free(f);

    /* Always failing: retried up to the bound, then the answer is named. */
    f = fx_new();
    testserver_start(&f->srv, "smtp.py", "--out", f->out, "--tempfail", "9", NULL);
    fx_url(f, "127.0.0.1");
    make_attachment(&pdf);
    struct mail_server sv2 = {.url = f->url,
                              .sleep = record_sleep,
                              .sleep_ctx = f,
                              .max_attempts = 3,
                              .backoff_initial = 5};
    assert_int_equal(send_report(f, &sv2, to, 1, &pdf, &attempts, &e), ERR_IO);
    assert_int_equal(attempts, 3);
    assert_int_equal(f->nwaits, 2);
    assert_true(f->waits[0] == 5.0 && f->waits[1] == 10.0);
    assert_non_null(strstr(e.msg, "451 4.3.0 Mailbox temporarily unavailable"));
    assert_non_null(strstr(e.msg, "(tried 3 times)"));
    buf_release(&pdf);
    fx_free(f);
}

static void test_mail_addresses_and_hosts(void **state)
{
    (void)state;
    char **a = NULL;
    size_t n = 0;
    struct err e;
    assert_int_equal(mail_parse_addresses(" a@b.in, c@d.in;e@f.in ", &a, &n, &e), 0);
    assert_int_equal(n, 3);
    assert_string_equal(a[0], "a@b.in");
    assert_string_equal(a[2], "e@f.in");
    for (size_t i = 0; i < n; i++)
        free(a[i]);
    free(a);
    assert_int_equal(mail_parse_addresses("a@b.in, not-an-address", &a, &n, &e), ERR_USAGE);
    assert_non_null(strstr(e.msg, "\"not-an-address\" is not an e-mail address"));
    assert_int_equal(mail_parse_addresses("", &a, &n, &e), ERR_USAGE);
    assert_true(mail_host_is_local("smtp://127.0.0.1:25"));
    assert_true(mail_host_is_local("smtp://localhost"));
    assert_true(mail_host_is_local("smtp://[::1]:587"));
    assert_true(mail_host_is_local("smtp://user@127.0.0.5:587"));
    assert_false(mail_host_is_local("smtp://smtp.gmail.com:587"));
    assert_false(mail_host_is_local("smtp://127.0.0.1.example.com:587"));
    assert_false(mail_host_is_local("smtp://localhost.evil.example:587"));
    /* Header injection and bad addresses are refused before anything is sent. */
    struct mail_server sv = {.url = "smtp://127.0.0.1:1"};
    const char *to[] = {"a@b.in"};
    struct mail_message m = {.from = "r@b.in", .to = to, .nto = 1, .subject = "x\r\nBcc: y@z.in"};
    assert_int_equal(mail_send(&sv, &m, NULL, &e), ERR_USAGE);
    assert_non_null(strstr(e.msg, "line breaks"));
    m.subject = "ok";
    m.from = "r@b.in>\r\nRCPT TO:<x@y.in";
    assert_int_equal(mail_send(&sv, &m, NULL, &e), ERR_USAGE);
    struct mail_server http = {.url = "http://127.0.0.1:25"};
    m.from = "r@b.in";
    assert_int_equal(mail_send(&http, &m, NULL, &e), ERR_USAGE);
    assert_non_null(strstr(e.msg, "not an SMTP address"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mail_attachment_arrives_byte_for_byte),
        cmocka_unit_test(test_mail_starttls_and_login),
        cmocka_unit_test(test_mail_a_host_that_is_not_local_needs_starttls),
        cmocka_unit_test(test_mail_refused_recipient_names_the_servers_answer),
        cmocka_unit_test(test_mail_temporary_failure_is_retried),
        cmocka_unit_test(test_mail_addresses_and_hosts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
