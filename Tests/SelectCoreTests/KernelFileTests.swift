import Foundation
import Testing
import SelectCore
#if canImport(Glibc)
import Glibc
#endif

/// /proc files hand out their text a page per read(): the reader must go on to the end.
@Suite struct KernelFileTests {
    @Test func readsEveryLineOfProcNetTCPPastTheFirstPage() throws {
        // 80 listening sockets: their lines alone are far more than a 4 KiB page.
        var ports: [Int] = []
        var fds: [Int32] = []
        defer { for fd in fds { close(fd) } }
        for _ in 0..<80 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            try #require(fd >= 0)
            fds.append(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            try #require(bound == 0 && listen(fd, 1) == 0)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        let text = try #require(KernelFile.text("/proc/net/tcp"))
        #expect(text.utf8.count > 4096)
        let missing = ports.filter { !text.contains(String(format: "0100007F:%04X 00000000:0000 0A", $0)) }
        #expect(missing.isEmpty, "\(missing.count) of \(ports.count) listeners missing")
    }

    @Test func aFileThatCannotBeOpenedIsNil() {
        #expect(KernelFile.read("/proc/no-such-file") == nil)
    }

    @Test func aTCPTableRowGivesItsFields() throws {
        let table = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:04D2 00000000:0000 0A 00000000:00000003 00:00000000 00000000     0        0 424242 1 0 100 0 0 10 0
               1: 0100007F:04D2 0100007F:B5A2 01 00000010:00000020 00:00000000 00000000     0        0 424243 1 0
            """
        let rows = KernelTCPRow.rows(table)
        #expect(rows.count == 2)
        let listener = try #require(rows.first)
        #expect(listener.state == KernelTCPRow.listenState && listener.unread == 3 && listener.inode == 424242)
        #expect(KernelTCPRow.port(listener.local) == 1234)
        let connection = rows[1]
        #expect(connection.state == 1 && connection.unsent == 16 && connection.unread == 32)
        #expect(KernelTCPRow.port(connection.remote) == 0xB5A2)
    }
}
