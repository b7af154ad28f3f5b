import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A `redis-server` of the test's own, for settings the shared test Redis must not have (an
/// `allkeys-*` eviction policy). Killed when released.
final class PrivateRedis {
    let port: Int
    private let process: Process

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    init(arguments: [String]) throws {
        let configured = ProcessInfo.processInfo.environment["RECALL_TEST_REDIS_SERVER"] ?? ""
        let executable = configured.isEmpty ? "/usr/bin/redis-server" : configured
        port = try FreePort.loopback()
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, process.isRunning {
            if Self.accepts(port: port) { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
        kill(process.processIdentifier, SIGKILL)
        throw StartFailure(description: "\(executable) did not start listening on port \(port)")
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    var url: String { "redis://127.0.0.1:\(port)/0" }

    private static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
