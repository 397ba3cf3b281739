#ifndef SELECTSCOPE_SYSTEM_SHIM_H
#define SELECTSCOPE_SYSTEM_SHIM_H
// Linux calls that glibc only declares under _GNU_SOURCE, and the fd_set macros that
// Swift cannot import. No logic lives here.
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>

int ss_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
int ss_pipe2(int fds[2], int flags);

static inline int ss_fd_setsize(void) { return FD_SETSIZE; }
/// MSG_OOB: urgent data, the one thing that fills select's exceptional set on Linux.
enum { SS_MSG_OOB = MSG_OOB };
static inline void ss_fd_zero(fd_set *set) { FD_ZERO(set); }
static inline void ss_fd_set(int fd, fd_set *set) { FD_SET(fd, set); }
static inline int ss_fd_isset(int fd, const fd_set *set) { return FD_ISSET(fd, set); }

#endif

#ifndef SELECTSCOPE_SYSTEM_SHIM_CHILD
#define SELECTSCOPE_SYSTEM_SHIM_CHILD
/// prctl(PR_SET_PDEATHSIG, sig): the kernel sends `sig` to this process when its parent
/// dies, so clients never outlive a dashboard that crashed. (prctl is variadic.)
int ss_set_parent_death_signal(int sig);
#endif

#ifndef SELECTSCOPE_SYSTEM_SHIM_EPOLL
#define SELECTSCOPE_SYSTEM_SHIM_EPOLL
// epoll, behind plain ints: struct epoll_event is packed on x86_64, which Swift cannot
// lay out safely.
#include <stdint.h>
#include <sys/epoll.h>
enum {
    SS_EPOLLIN = EPOLLIN, SS_EPOLLOUT = EPOLLOUT, SS_EPOLLPRI = EPOLLPRI,
    SS_EPOLLERR = EPOLLERR, SS_EPOLLHUP = EPOLLHUP, SS_EPOLLRDHUP = EPOLLRDHUP
};
int ss_epoll_create(void);
/// Adds, changes or (mask 0) removes an fd's interest, given the mask it had before.
int ss_epoll_set(int epfd, int fd, uint32_t old_mask, uint32_t new_mask);
void *ss_epoll_buffer_new(int capacity);
void ss_epoll_buffer_free(void *buffer);
int ss_epoll_wait(int epfd, void *buffer, int capacity, int timeout_ms);
int ss_epoll_event_fd(const void *buffer, int index);
uint32_t ss_epoll_event_mask(const void *buffer, int index);
#endif

#ifndef SELECTSCOPE_SYSTEM_SHIM_QUEUES
#define SELECTSCOPE_SYSTEM_SHIM_QUEUES
/// Bytes received and not yet read (FIONREAD), or -1.
int ss_socket_unread(int fd);
/// Bytes sent and not yet acknowledged (SIOCOUTQ), or -1.
int ss_socket_unsent(int fd);
/// Connections in a listening socket's accept queue (TCP_INFO's tcpi_unacked), or -1.
int ss_listener_pending(int fd);
#endif
