#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "system_shim.h"

int ss_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

int ss_pipe2(int fds[2], int flags) {
    return pipe2(fds, flags);
}

#include <sys/prctl.h>

int ss_set_parent_death_signal(int sig) {
    return prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0);
}

#include <stdlib.h>
#include <sys/epoll.h>

int ss_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

int ss_epoll_set(int epfd, int fd, uint32_t old_mask, uint32_t new_mask) {
    struct epoll_event event = {0};
    event.events = new_mask;
    event.data.fd = fd;
    int op = old_mask == 0 ? EPOLL_CTL_ADD : (new_mask == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD);
    return epoll_ctl(epfd, op, fd, &event);
}

void *ss_epoll_buffer_new(int capacity) {
    return calloc((size_t)capacity, sizeof(struct epoll_event));
}

void ss_epoll_buffer_free(void *buffer) {
    free(buffer);
}

int ss_epoll_wait(int epfd, void *buffer, int capacity, int timeout_ms) {
    return epoll_wait(epfd, (struct epoll_event *)buffer, capacity, timeout_ms);
}

int ss_epoll_event_fd(const void *buffer, int index) {
    return ((const struct epoll_event *)buffer)[index].data.fd;
}

uint32_t ss_epoll_event_mask(const void *buffer, int index) {
    return ((const struct epoll_event *)buffer)[index].events;
}

#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>

int ss_socket_unread(int fd) {
    int value = 0;
    return ioctl(fd, FIONREAD, &value) == 0 ? value : -1;
}

int ss_socket_unsent(int fd) {
    int value = 0;
    return ioctl(fd, SIOCOUTQ, &value) == 0 ? value : -1;
}

int ss_listener_pending(int fd) {
    struct tcp_info info;
    socklen_t length = sizeof(info);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return -1;
    return (int)info.tcpi_unacked;
}
