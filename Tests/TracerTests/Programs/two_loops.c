// Two threads with loops of their own, for the tracer's tests: a ticker thread polls a pipe
// nobody writes to (every 100 ms, from before the server starts), and the server thread
// accepts and echoes on poll(). It binds 127.0.0.1:1234 (the test moves it with --port).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static int ticks[2];

static void *ticker(void *unused) {
    (void)unused;
    struct pollfd fd = { .fd = ticks[0], .events = POLLIN };
    for (;;) poll(&fd, 1, 100);
    return NULL;
}

int main(void) {
    if (pipe(ticks) != 0) return 1;
    pthread_t thread;
    pthread_create(&thread, NULL, ticker, NULL);
    usleep(300 * 1000);  // the ticker's calls come first

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(1234) };
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 16) != 0) {
        perror("bind/listen");
        return 1;
    }
    struct pollfd fds[64] = { { .fd = listener, .events = POLLIN } };
    int count = 1;
    for (;;) {
        if (poll(fds, count, -1) < 0) continue;
        for (int i = count - 1; i >= 0; i--) {
            if (!fds[i].revents) continue;
            if (fds[i].fd == listener) {
                int client = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
                if (client >= 0 && count < 64) fds[count++] = (struct pollfd){ .fd = client, .events = POLLIN };
                continue;
            }
            char buffer[4096];
            ssize_t got = recv(fds[i].fd, buffer, sizeof buffer, 0);
            if (got <= 0) {
                close(fds[i].fd);
                fds[i] = fds[--count];
            } else {
                send(fds[i].fd, buffer, (size_t)got, MSG_NOSIGNAL);
            }
        }
    }
}
