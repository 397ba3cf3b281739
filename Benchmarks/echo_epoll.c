// A minimal epoll echo server, written only as a yardstick for SelectScope's benchmarks:
// non-blocking sockets, level-triggered, read up to 1024 bytes and send them straight back,
// keeping any unsent rest until the socket is writable.
// Build: cc -O2 -o echo_epoll echo_epoll.c   Run: ./echo_epoll PORT
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FD 65536
static char *pending[MAX_FD];
static int pending_len[MAX_FD];

static void set_interest(int ep, int fd, int write) {
    struct epoll_event ev = {.events = EPOLLIN | (write ? EPOLLOUT : 0), .data.fd = fd};
    epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static void close_conn(int ep, int fd) {
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
    free(pending[fd]);
    pending[fd] = NULL;
    pending_len[fd] = 0;
    close(fd);
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 1234;
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(ls, (struct sockaddr *)&addr, sizeof addr) || listen(ls, 4096)) { perror("listen"); return 1; }
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    struct epoll_event events[1024];
    char buf[1024];
    for (;;) {
        int n = epoll_wait(ep, events, 1024, -1);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == ls) {
                int c = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (c < 0 || c >= MAX_FD) { if (c >= 0) close(c); continue; }
                struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
                epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                continue;
            }
            if (events[i].events & EPOLLOUT && pending_len[fd] > 0) {
                ssize_t w = send(fd, pending[fd], pending_len[fd], MSG_NOSIGNAL);
                if (w < 0 && errno != EAGAIN) { close_conn(ep, fd); continue; }
                if (w > 0) { memmove(pending[fd], pending[fd] + w, pending_len[fd] - w); pending_len[fd] -= w; }
                if (pending_len[fd] == 0) set_interest(ep, fd, 0);
            }
            if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                ssize_t r = recv(fd, buf, sizeof buf, 0);
                if (r == 0 || (r < 0 && errno != EAGAIN)) { close_conn(ep, fd); continue; }
                if (r < 0) continue;
                ssize_t w = pending_len[fd] ? 0 : send(fd, buf, r, MSG_NOSIGNAL);
                if (w < 0 && errno != EAGAIN) { close_conn(ep, fd); continue; }
                if (w < 0) w = 0;
                if (w < r) {
                    pending[fd] = realloc(pending[fd], pending_len[fd] + (r - w));
                    memcpy(pending[fd] + pending_len[fd], buf + w, r - w);
                    pending_len[fd] += r - w;
                    set_interest(ep, fd, 1);
                }
            }
        }
    }
}
