// A loop that spins: its pipe's write end is always writable, so each select returns at once.
// 100,000 calls as fast as the machine goes, then it says how many it made.
#include <stdio.h>
#include <sys/select.h>
#include <unistd.h>

int main(void) {
    int p[2];
    if (pipe(p) != 0) return 1;
    long calls = 0;
    for (int i = 0; i < 100000; i++) {
        fd_set readable, writable;
        FD_ZERO(&readable);
        FD_ZERO(&writable);
        FD_SET(p[0], &readable);
        FD_SET(p[1], &writable);
        if (select(p[1] + 1, &readable, &writable, NULL, NULL) == 1) calls++;
    }
    printf("calls %ld\n", calls);
    return 0;
}
