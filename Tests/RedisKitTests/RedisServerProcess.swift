import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private `redis-server` for tests that must kill, restart or password-protect their server,
/// which the shared test Redis must never be.
///
/// The binary is `RECALL_TEST_REDIS_SERVER` or `/usr/bin/redis-server`. Each instance picks a free
/// port once and keeps it across restarts, so clients can find the server again.
final class RedisServerProcess {
    let port: Int
    let password: String?
    private var process: Process?

    static var executable: String {
        let configured = ProcessInfo.processInfo.environment["RECALL_TEST_REDIS_SERVER"] ?? ""
        return configured.isEmpty ? "/usr/bin/redis-server" : configured
    }

    static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: executable)
    }

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    init(password: String? = nil) throws {
        self.port = try Self.freePort()
        self.password = password
        try start()
    }

    deinit {
        kill()
    }

    var url: String {
        if let password { return "redis://:\(password)@127.0.0.1:\(port)/0" }
        return "redis://127.0.0.1:\(port)/0"
    }

    /// Starts (or restarts) the server on the same port and waits until it accepts connections.
    func start() throws {
        precondition(process == nil, "server already running")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        var arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--daemonize", "no", "--loglevel", "warning",
        ]
        if let password { arguments += ["--requirepass", password] }
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process

        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if Self.accepts(port: port) { return }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        kill()
        throw StartFailure(description: "\(Self.executable) did not start listening on port \(port)")
    }

    /// SIGKILL: the server vanishes the way a crashed or OOM-killed one does.
    func kill() {
        guard let process else { return }
        self.process = nil
        if process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    private static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Lets the kernel pick a port that is free right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw StartFailure(description: "socket() failed") }
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard bound else { throw StartFailure(description: "bind() to a free port failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        return address
    }
}
