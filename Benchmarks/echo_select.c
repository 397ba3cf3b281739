// A minimal select() echo server, the yardstick for SelectScope's select backend:
// rebuilds its fd_sets every call, reads up to 1024 bytes, sends them straight back.
// Build: cc -O2 -o echo_select echo_select.c   Run: ./echo_select PORT
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

static char *pending[FD_SETSIZE];
static int pending_len[FD_SETSIZE];
static int conns[FD_SETSIZE];
static int nconns;

static void drop(int index) {
    int fd = conns[index];
    free(pending[fd]);
    pending[fd] = NULL;
    pending_len[fd] = 0;
    close(fd);
    conns[index] = conns[--nconns];
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 1234;
    signal(SIGPIPE, SIG_IGN);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(ls, (struct sockaddr *)&addr, sizeof addr) || listen(ls, 4096)) { perror("listen"); return 1; }
    char buf[1024];
    for (;;) {
        fd_set rd, wr;
        FD_ZERO(&rd);
        FD_ZERO(&wr);
        FD_SET(ls, &rd);
        int maxfd = ls;
        for (int i = 0; i < nconns; i++) {
            int fd = conns[i];
            FD_SET(fd, &rd);
            if (pending_len[fd]) FD_SET(fd, &wr);
            if (fd > maxfd) maxfd = fd;
        }
        if (select(maxfd + 1, &rd, &wr, NULL, NULL) < 0) continue;
        if (FD_ISSET(ls, &rd)) {
            int c = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (c >= FD_SETSIZE) close(c);
            else if (c >= 0) conns[nconns++] = c;
        }
        for (int i = 0; i < nconns; i++) {
            int fd = conns[i];
            if (FD_ISSET(fd, &wr) && pending_len[fd]) {
                ssize_t w = send(fd, pending[fd], pending_len[fd], MSG_NOSIGNAL);
                if (w < 0 && errno != EAGAIN) { drop(i--); continue; }
                if (w > 0) { memmove(pending[fd], pending[fd] + w, pending_len[fd] - w); pending_len[fd] -= w; }
            }
            if (FD_ISSET(fd, &rd)) {
                ssize_t r = recv(fd, buf, sizeof buf, 0);
                if (r == 0 || (r < 0 && errno != EAGAIN)) { drop(i--); continue; }
                if (r < 0) continue;
                ssize_t w = pending_len[fd] ? 0 : send(fd, buf, r, MSG_NOSIGNAL);
                if (w < 0 && errno != EAGAIN) { drop(i--); continue; }
                if (w < 0) w = 0;
                if (w < r) {
                    pending[fd] = realloc(pending[fd], pending_len[fd] + (r - w));
                    memcpy(pending[fd] + pending_len[fd], buf + w, r - w);
                    pending_len[fd] += r - w;
                }
            }
        }
    }
}
