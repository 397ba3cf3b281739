import Testing

/// Every in-process server test lives under this suite and runs one at a time: the fd
/// ceiling test fills this process's descriptor table below 1024, which would make any
/// other select() server running at the same moment refuse its clients.
@Suite("SelectCore, in process", .serialized)
struct InProcess {}
