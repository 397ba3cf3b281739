// Readiness calls with arguments no kernel would accept, then one good poll: the tracer must
// record each as failed or damaged and go on (never trap, never stop the program).
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <unistd.h>

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct timeval zero = { .tv_sec = 0, .tv_usec = 0 };
    int r1 = poll((struct pollfd *)8, 1, 0);                        // unreadable pollfd array
    int r2 = select(1 << 30, NULL, NULL, NULL, &zero);               // nfds out of range (the kernel clamps it)
    int r3 = select(4, (fd_set *)16, NULL, NULL, NULL);              // unreadable fd_set
    int r4 = epoll_wait(-1, (struct epoll_event *)8, -3, 0);         // nothing valid
    int r5 = poll((struct pollfd *)8, 1u << 31, 0);                  // a count out of range
    int pipefd[2];
    pipe(pipefd);
    write(pipefd[1], "x", 1);
    struct pollfd good = { .fd = pipefd[0], .events = POLLIN };
    int r6 = poll(&good, 1, 1000);
    printf("results %d %d %d %d %d %d\n", r1, r2, r3, r4, r5, r6);
    return 0;
}
