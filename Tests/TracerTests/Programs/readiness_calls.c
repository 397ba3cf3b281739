// A fixed sequence of select, poll and epoll calls on a pipe, some ready, some timing out,
// one select past fd_set's size and one poll of 2,500 entries:
// the same calls however they are traced. Prints nothing; exits 0.
#include <poll.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <unistd.h>

int main(void) {
    int p[2];
    char byte;
    if (pipe(p) != 0) return 1;
    for (int i = 0; i < 6; i++) {
        if (i % 2 == 1 && write(p[1], "x", 1) != 1) return 1;
        fd_set readable, writable;
        FD_ZERO(&readable);
        FD_ZERO(&writable);
        FD_SET(p[0], &readable);
        FD_SET(p[1], &writable);
        struct timeval timeout = {0, 10000};
        int n = select(p[1] + 1, &readable, i % 3 == 0 ? &writable : NULL, NULL, &timeout);
        if (n > 0 && FD_ISSET(p[0], &readable) && read(p[0], &byte, 1) != 1) return 1;
    }
    for (int i = 0; i < 4; i++) {
        if (i % 2 == 0 && write(p[1], "x", 1) != 1) return 1;
        struct pollfd fds[2] = {{p[0], POLLIN, 0}, {p[1], i == 3 ? POLLOUT : 0, 0}};
        int n = poll(fds, 2, 10);
        if (n > 0 && (fds[0].revents & POLLIN) && read(p[0], &byte, 1) != 1) return 1;
    }
    // Beyond fd_set's 1,024 bits, and a long pollfd array (the same fd over and over).
    static unsigned long wide_read[(5000 + 63) / 64], wide_write[(5000 + 63) / 64];
    wide_read[p[0] / 64] |= 1ul << (p[0] % 64);
    wide_write[p[1] / 64] |= 1ul << (p[1] % 64);
    struct timeval none = {0, 0};
    if (select(5000, (fd_set *)wide_read, (fd_set *)wide_write, NULL, &none) != 1) return 1;
    static struct pollfd many[2500];
    for (int i = 0; i < 2500; i++) many[i] = (struct pollfd){p[1], POLLOUT, 0};
    if (poll(many, 2500, 0) != 2500) return 1;
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event event = {.events = EPOLLIN, .data.fd = p[0]};
    if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, p[0], &event) != 0) return 1;
    for (int i = 0; i < 4; i++) {
        if (i % 2 == 0 && write(p[1], "x", 1) != 1) return 1;
        struct epoll_event ready[4];
        int n = epoll_wait(epfd, ready, 4, 10);
        if (n > 0 && read(p[0], &byte, 1) != 1) return 1;
    }
    return 0;
}
