/* testserver.h — starts one of the local test servers of tests/servers/ (real servers on
 * 127.0.0.1, never mocks inside the binary) for a unit test: fork/exec python3 with the
 * script found beside $INFLUDASH_TEST_DATA (tests/data → tests/servers/NAME), read the port
 * it prints on its first line, and stop it at the end. Header-only, included after
 * cmocka.h. */
#ifndef INFLUDASH_TESTSERVER_H
#define INFLUDASH_TESTSERVER_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

struct testserver {
    pid_t pid;
    int port;
    char base[64]; /* "http://127.0.0.1:PORT" */
};

/* The path of tests/servers/NAME (from $INFLUDASH_TEST_DATA, which ctest sets to tests/data). */
static inline void testserver_script(char *out, size_t cap, const char *name)
{
    const char *data = getenv("INFLUDASH_TEST_DATA");
    if (!data || !*data)
        fail_msg("INFLUDASH_TEST_DATA is not set: run the tests with ctest");
    snprintf(out, cap, "%s/../servers/%s", data, name);
}

/* Starts python3 tests/servers/NAME with the NULL-terminated extra args; fails the test
 * when it does not print a port within 20 s. */
static inline void testserver_start(struct testserver *s, const char *name, ...)
{
    char script[PATH_MAX];
    testserver_script(script, sizeof script, name);
    const char *argv[16];
    int argc = 0;
    argv[argc++] = "python3";
    argv[argc++] = script;
    va_list ap;
    va_start(ap, name);
    for (const char *a; argc < 15 && (a = va_arg(ap, const char *)) != NULL;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* The server goes when the test does, even one that failed before stopping it. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() == 1)
            _exit(1);
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        /* Debian's python3 first: the modules the servers use (aiosmtpd) are its packages. */
        if (access("/usr/bin/python3", X_OK) == 0)
            execv("/usr/bin/python3", (char *const *)argv);
        execvp("python3", (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    char line[64];
    size_t len = 0;
    while (len < sizeof line - 1) {
        struct pollfd p = {fds[0], POLLIN, 0};
        int r = poll(&p, 1, 20000);
        if (r <= 0)
            fail_msg("tests/servers/%s printed no port within 20 s", name);
        ssize_t n = read(fds[0], line + len, 1);
        if (n <= 0)
            fail_msg("tests/servers/%s exited before printing its port (python3 and its "
                     "modules installed? scripts/deps.sh --test)",
                     name);
        if (line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    close(fds[0]);
    char *end;
    long port = strtol(line, &end, 10);
    if (end == line || port <= 0 || port > 65535)
        fail_msg("tests/servers/%s printed \"%s\", not a port", name, line);
    s->pid = pid;
    s->port = (int)port;
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", s->port);
}

static inline void testserver_stop(struct testserver *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
}

/* A cmocka setup/teardown pair for the platforms server, kept in *state. */
static inline int testserver_platforms_setup(void **state)
{
    struct testserver *s = calloc(1, sizeof *s);
    testserver_start(s, "platforms.py", NULL);
    *state = s;
    return 0;
}

static inline int testserver_teardown(void **state)
{
    struct testserver *s = *state;
    testserver_stop(s);
    free(s);
    return 0;
}

#endif
