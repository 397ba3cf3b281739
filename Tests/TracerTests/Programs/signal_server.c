// A select() loop with a SIGUSR1 handler: each signal cuts a select short with EINTR, which
// the program prints (`select EINTR`); SIGSTOP/SIGCONT stop and continue it. The tracer must
// hand every signal on and record each interrupted call as interrupted.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

static volatile sig_atomic_t caught;
static void on_usr1(int sig) { (void)sig; caught++; }

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_usr1;
    sigaction(SIGUSR1, &action, NULL);  // no SA_RESTART
    int pipefd[2];
    pipe(pipefd);
    printf("ready\n");
    for (;;) {
        fd_set read_set;
        FD_ZERO(&read_set);
        FD_SET(pipefd[0], &read_set);
        struct timeval timeout = { .tv_sec = 30, .tv_usec = 0 };
        int ready = select(pipefd[0] + 1, &read_set, NULL, NULL, &timeout);
        if (ready < 0 && errno == EINTR) printf("select EINTR caught=%d\n", (int)caught);
        else printf("select %d\n", ready);
    }
}
