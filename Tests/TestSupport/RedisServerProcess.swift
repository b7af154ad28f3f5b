import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private `redis-server` for tests that must kill, pause, restart, limit or password-protect
/// their server, which the shared test Redis must never be.
///
/// The binary is `RECALL_TEST_REDIS_SERVER` or `/usr/bin/redis-server`. Each instance picks a free
/// loopback port once and keeps it across restarts, so clients can find the server again. Nothing
/// is persisted (`--save ''`, `--appendonly no` unless the test's own arguments say otherwise), and
/// the working directory is a temporary one of its own, removed when the instance goes away, so a
/// stray dump can never land in the repository.
public final class RedisServerProcess: @unchecked Sendable {
    // @unchecked: tests drive an instance from one task at a time; `process` is only swapped by
    // start/kill, which the tests call sequentially.

    /// The TCP port on 127.0.0.1 the server listens on, the same across restarts.
    public let port: Int
    /// The password the server requires, if any.
    public let password: String?
    /// Extra `redis-server` arguments, e.g. `["--maxmemory", "2mb"]`.
    public let extraArguments: [String]
    private let directory: URL
    private var process: Process?

    /// The `redis-server` binary the tests use.
    public static var executable: String {
        let configured = ProcessInfo.processInfo.environment["RECALL_TEST_REDIS_SERVER"] ?? ""
        return configured.isEmpty ? "/usr/bin/redis-server" : configured
    }

    /// Whether a `redis-server` binary is there to start.
    public static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: executable)
    }

    public struct StartFailure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts a server on a free port and waits until it accepts connections.
    ///
    /// - Parameters:
    ///   - password: set with `--requirepass`.
    ///   - arguments: further `redis-server` options, appended after the defaults so they win.
    public init(password: String? = nil, arguments: [String] = []) throws {
        self.port = try FreePort.loopback()
        self.password = password
        self.extraArguments = arguments
        self.directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("recall-redis-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try start()
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: directory)
    }

    /// `redis://[:password@]127.0.0.1:<port>/0`.
    public var url: String {
        if let password { return "redis://:\(password)@127.0.0.1:\(port)/0" }
        return "redis://127.0.0.1:\(port)/0"
    }

    /// Whether the server process is running (it may be paused).
    public var isRunning: Bool { process?.isRunning ?? false }

    /// Starts (or restarts) the server on the same port and waits until it accepts connections.
    public func start() throws {
        precondition(process == nil, "server already running")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        var arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", directory.path, "--daemonize", "no", "--loglevel", "warning",
        ]
        if let password { arguments += ["--requirepass", password] }
        process.arguments = arguments + extraArguments
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
    public func kill() {
        guard let process else { return }
        self.process = nil
        if process.isRunning {
            Glibc.kill(process.processIdentifier, SIGCONT)
            Glibc.kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    /// SIGSTOP: the server keeps its sockets open but answers nothing, like a black-holed host.
    public func pause() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGSTOP)
    }

    /// SIGCONT after ``pause()``.
    public func resume() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGCONT)
    }

    /// A TCP port on 127.0.0.1 that nothing listens on right now.
    public static func freePort() throws -> Int {
        try FreePort.loopback()
    }

    private static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
