import CHiredis
import Logging
import Synchronization

/// A pool of Redis connections that many tasks can use at once.
///
/// Each connection belongs to its own OS thread, so hiredis's blocking I/O never runs on the
/// caller's thread, on the Swift concurrency pool or on an event loop. Commands from concurrent
/// callers are spread over the connections round-robin, and each connection sends everything
/// that queued up while it was busy as one pipeline.
///
/// Connections open lazily, on first use. When one breaks, the requests in flight on it fail
/// with a ``RedisError``, and the next request reconnects; while the server stays unreachable,
/// requests fail at once with a `.connection` error during a backoff window that grows from
/// 50 ms to 2 s. After every (re)connect the command timeout, TCP keepalive, `AUTH` and `SELECT`
/// are applied again.
///
/// Error replies from the server are thrown as ``RedisError`` of kind ``RedisError/Kind/server``
/// by every method except ``pipeline(_:)``, which returns them in place.
///
/// ```swift
/// let redis = RedisClient(configuration: try RedisConfiguration(url: "redis://127.0.0.1:6379/0"))
/// try await redis.set("greeting", value: "hello", ttl: .seconds(60))
/// let value = try await redis.get("greeting")
/// await redis.shutdown()
/// ```
///
/// Blocking commands (`BLPOP`, `XREAD BLOCK`, `WAIT`) are bounded by the command timeout like
/// any other command: keep their own timeout below it. Cancelling a task does not withdraw a
/// command that was already queued.
public final class RedisClient: Sendable {
    /// The configuration the client was created with.
    public let configuration: RedisConfiguration

    private let workers: [ConnectionWorker]
    private let nextWorker = Atomic<Int>(0)
    /// SHA1 of each script's source as returned by `SCRIPT LOAD`, so this module needs no crypto.
    private let scriptDigests = Mutex<[String: String]>([:])

    /// Creates the pool; no connection is opened until the first command.
    ///
    /// - Parameters:
    ///   - configuration: The server, credentials, timeouts and ``RedisConfiguration/poolSize``
    ///     (at least 1 is used).
    ///   - logger: Receives connection losses and reconnects; `nil` logs nothing.
    public init(configuration: RedisConfiguration, logger: Logger? = nil) {
        ProcessSignals.ignoreSIGPIPE()
        self.configuration = configuration
        let logger = logger ?? Logger(label: "RedisKit", factory: { _ in SwiftLogNoOpLogHandler() })
        workers = (0..<max(1, configuration.poolSize)).map {
            ConnectionWorker(index: $0, configuration: configuration, logger: logger)
        }
    }

    deinit {
        // Threads hold their worker, not the client: without this they would sleep forever.
        workers.forEach { $0.beginClose() }
    }

    /// Sends one command, e.g. `["SET", "key", "value"]`, and returns its reply.
    ///
    /// - Throws: ``RedisError``; an error reply from the server is thrown as
    ///   ``RedisError/Kind/server`` with the server's message.
    public func send(_ command: [String]) async throws -> RESPValue {
        try await sendOne(RedisCommand(command))
    }

    /// Sends one command given as raw bytes per argument, for binary keys or values.
    ///
    /// - Throws: ``RedisError``; an error reply from the server is thrown as
    ///   ``RedisError/Kind/server``.
    public func send(bytes command: [[UInt8]]) async throws -> RESPValue {
        try await sendOne(RedisCommand(bytes: command))
    }

    /// Sends several commands in one round trip on one connection and returns their replies in
    /// the same order.
    ///
    /// The commands are not a transaction: other clients' commands may run between them. An
    /// error reply for one command is returned as ``RESPValue/error(_:)`` in its place and does
    /// not affect the others; only a failure of the connection throws.
    public func pipeline(_ commands: [[String]]) async throws -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        return try await submit(commands.map(RedisCommand.init))
    }

    /// Like ``pipeline(_:)`` with raw bytes per argument, for binary keys or values: several
    /// commands, one round trip, replies in order, error replies returned in place.
    public func pipeline(bytes commands: [[[UInt8]]]) async throws -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        return try await submit(commands.map(RedisCommand.init(bytes:)))
    }

    /// Closes every pooled connection and waits for their threads to finish.
    ///
    /// Requests still queued fail with ``RedisError/Kind/closed``, and so does every later call.
    public func shutdown() async {
        for worker in workers {
            await worker.close()
        }
    }

    // MARK: - Internals shared by the command helpers

    func sendOne(_ command: RedisCommand) async throws -> RESPValue {
        let reply = try await submit([command])[0]
        if case .error(let message) = reply {
            throw RedisError(.server, message)
        }
        return reply
    }

    private func submit(_ commands: [RedisCommand]) async throws -> [RESPValue] {
        if commands.contains(where: \.isEmpty) {
            throw RedisError(.protocol, "cannot send an empty Redis command")
        }
        let slot = Int(UInt(bitPattern: nextWorker.wrappingAdd(1, ordering: .relaxed).oldValue) % UInt(workers.count))
        return try await withCheckedThrowingContinuation { continuation in
            let request = PendingRequest(commands: commands, continuation: continuation)
            // A connection in reconnect backoff passes the request on to the next one, so one
            // refused connect (say, the server's maxclients) does not fail every n-th caller
            // while the rest of the pool is fine. Only the last candidate fails it.
            for offset in 0..<workers.count - 1 {
                if workers[(slot + offset) % workers.count].submit(request, declineDuringBackoff: true) { return }
            }
            workers[(slot + workers.count - 1) % workers.count].submit(request)
        }
    }

    func cachedDigest(of script: RedisScript) -> String? {
        scriptDigests.withLock { $0[script.source] }
    }

    func rememberDigest(_ digest: String, of script: RedisScript) {
        scriptDigests.withLock { $0[script.source] = digest }
    }
}

enum ProcessSignals {
    private static let sigpipeIgnored: Bool = {
        recall_ignore_sigpipe()
        return true
    }()

    /// hiredis writes with plain `write(2)`: a server that hung up would otherwise kill the whole
    /// process with SIGPIPE. A `static let` makes this run once, whichever thread gets here first.
    static func ignoreSIGPIPE() {
        _ = sigpipeIgnored
    }
}
