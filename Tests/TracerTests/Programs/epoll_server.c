// An echo server on epoll for the tracer's tests. Its address is a constant (read-only
// memory: the tracer's --port must still move it) and each interest carries a data word
// that is not the fd, so the tracer has to map ready events back through epoll_ctl. After
// each epoll_wait it prints the lists as it sees them itself:
//   epoll tid=T inputs=3,4 outputs=4 readable=4 writable= exceptional=
#define _GNU_SOURCE
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX 1024
static const struct sockaddr_in address = {
    .sin_family = AF_INET, .sin_port = 0xd204 /* 1234, network order */, .sin_addr = { 0x0100007f }
};
static uint32_t interest[MAX];
static uint32_t ready_events[MAX];
static char pending[MAX][4096];
static int pending_len[MAX];

static uint64_t tag(int fd) { return ((uint64_t)fd << 32) | 0xbeef; }

static void set(int epfd, int op, int fd, uint32_t events) {
    struct epoll_event event = { .events = events, .data.u64 = tag(fd) };
    epoll_ctl(epfd, op, fd, &event);
    interest[fd] = op == EPOLL_CTL_DEL ? 0 : events;
}

static void list(const char *name, uint32_t want, int use_ready, uint32_t ready_mask) {
    printf(" %s=", name);
    int first = 1;
    for (int fd = 0; fd < MAX; fd++) {
        if (!(interest[fd] & want)) continue;
        if (use_ready && !(ready_events[fd] & ready_mask)) continue;
        printf(first ? "%d" : ",%d", fd);
        first = 0;
    }
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(listener, (const struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 16) != 0) {
        perror("bind/listen");
        return 1;
    }
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    set(epfd, EPOLL_CTL_ADD, listener, EPOLLIN);
    struct epoll_event events[16];
    for (;;) {
        int ready = epoll_wait(epfd, events, 16, 5000);
        if (ready < 0) { perror("epoll_wait"); continue; }
        memset(ready_events, 0, sizeof ready_events);
        for (int i = 0; i < ready; i++) {
            int fd = (int)(events[i].data.u64 >> 32);
            if (fd >= 0 && fd < MAX) ready_events[fd] = events[i].events;
        }
        printf("epoll tid=%ld", (long)syscall(SYS_gettid));
        list("inputs", EPOLLIN, 0, 0);
        list("outputs", EPOLLOUT, 0, 0);
        list("readable", EPOLLIN, 1, EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP);
        list("writable", EPOLLOUT, 1, EPOLLOUT | EPOLLHUP | EPOLLERR);
        list("exceptional", EPOLLIN, 1, EPOLLPRI);
        printf("\n");
        fflush(stdout);
        for (int i = 0; i < ready; i++) {
            int fd = (int)(events[i].data.u64 >> 32);
            uint32_t got_events = events[i].events;
            if (fd == listener) {
                int connection = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
                if (connection >= 0 && connection < MAX) {
                    pending_len[connection] = 0;
                    set(epfd, EPOLL_CTL_ADD, connection, EPOLLIN);
                }
                continue;
            }
            if (got_events & EPOLLOUT && pending_len[fd] > 0) {
                ssize_t sent = write(fd, pending[fd], (size_t)pending_len[fd]);
                if (sent > 0) {
                    memmove(pending[fd], pending[fd] + sent, (size_t)(pending_len[fd] - sent));
                    pending_len[fd] -= (int)sent;
                }
                if (pending_len[fd] == 0) set(epfd, EPOLL_CTL_MOD, fd, EPOLLIN);
            }
            if (got_events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                ssize_t got = read(fd, pending[fd] + pending_len[fd], sizeof pending[fd] - (size_t)pending_len[fd]);
                if (got > 0) {
                    pending_len[fd] += (int)got;
                    set(epfd, EPOLL_CTL_MOD, fd, EPOLLIN | EPOLLOUT);
                } else {
                    set(epfd, EPOLL_CTL_DEL, fd, 0);
                    close(fd);
                }
            }
        }
    }
}
