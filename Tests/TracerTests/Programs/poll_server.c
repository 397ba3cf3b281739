// An echo server on poll() for the tracer's tests. It binds 127.0.0.1:1234 (the test moves
// it with --port) and, after each poll, prints the lists as it sees them itself:
//   poll tid=T inputs=3,4 outputs=4 readable=4 writable= exceptional=
// Received bytes wait for POLLOUT before going back, so outputs is exercised too.
// `poll_server thread` runs the loop in a second thread while main waits in pthread_join.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX 64
static struct pollfd fds[MAX];
static char pending[MAX][4096];
static int pending_len[MAX];
static int count;

static void list(const char *name, int want_events, int want_revents, int revent_mask) {
    printf(" %s=", name);
    int first = 1;
    for (int i = 0; i < count; i++) {
        if (fds[i].fd < 0 || !(fds[i].events & want_events)) continue;
        if (want_revents && !(fds[i].revents & revent_mask)) continue;
        printf(first ? "%d" : ",%d", fds[i].fd);
        first = 0;
    }
}

static void *loop(void *unused) {
    (void)unused;
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(1234) };
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 16) != 0) {
        perror("bind/listen");
        return NULL;
    }
    fds[0] = (struct pollfd){ .fd = listener, .events = POLLIN };
    count = 1;
    for (;;) {
        int ready = poll(fds, count, 5000);
        if (ready < 0) { perror("poll"); continue; }
        printf("poll tid=%ld", (long)syscall(SYS_gettid));
        list("inputs", POLLIN | POLLPRI, 0, 0);
        list("outputs", POLLOUT, 0, 0);
        list("readable", POLLIN | POLLPRI, 1, POLLIN | POLLHUP | POLLERR | POLLNVAL);
        list("writable", POLLOUT, 1, POLLOUT | POLLHUP | POLLERR | POLLNVAL);
        list("exceptional", POLLIN | POLLPRI, 1, POLLPRI);
        printf("\n");
        fflush(stdout);
        int n = count;
        for (int i = 0; i < n; i++) {
            if (fds[i].fd < 0 || !fds[i].revents) continue;
            if (fds[i].fd == listener) {
                int connection = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
                if (connection >= 0 && count < MAX) {
                    fds[count] = (struct pollfd){ .fd = connection, .events = POLLIN };
                    pending_len[count] = 0;
                    count++;
                }
                continue;
            }
            if (fds[i].revents & POLLOUT && pending_len[i] > 0) {
                ssize_t sent = write(fds[i].fd, pending[i], (size_t)pending_len[i]);
                if (sent > 0) {
                    memmove(pending[i], pending[i] + sent, (size_t)(pending_len[i] - sent));
                    pending_len[i] -= (int)sent;
                }
                if (pending_len[i] == 0) fds[i].events = POLLIN;
            }
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                ssize_t got = read(fds[i].fd, pending[i] + pending_len[i], sizeof pending[i] - (size_t)pending_len[i]);
                if (got > 0) {
                    pending_len[i] += (int)got;
                    fds[i].events = POLLIN | POLLOUT;
                } else if (got == 0 || (got < 0)) {
                    close(fds[i].fd);
                    fds[i].fd = -1;
                }
            }
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1 && strcmp(argv[1], "thread") == 0) {
        pthread_t thread;
        pthread_create(&thread, NULL, loop, NULL);
        pthread_join(thread, NULL);
    } else {
        loop(NULL);
    }
    return 0;
}
