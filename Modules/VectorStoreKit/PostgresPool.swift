import Dispatch
import Foundation
import Logging
import Synchronization

/// A bounded pool of PostgreSQL connections, each owned by a dedicated OS thread.
///
/// libpq blocks the calling thread for every round trip. Running that on Swift's cooperative pool
/// or on an event loop would stall unrelated tasks, so each connection lives on a thread of its
/// own and async callers wait on a continuation instead. At most `size` statements run at once;
/// further callers queue in arrival order.
///
/// A connection that broke (server restart, idle timeout, network) is re-established with
/// `PQreset` the next time it is checked out. The statement that discovered the breakage is not
/// retried: it may have been a write that reached the server.
///
/// ```swift
/// let pool = try PostgresPool(url: settings.databaseURL!, size: 4)
/// let count = try await pool.withTransaction { connection in
///     try connection.execute("UPDATE documents SET title = $1 WHERE id = $2::bigint", [title, "42"])
///         .affectedRows
/// }
/// await pool.close()
/// ```
///
/// Call ``close()`` before dropping the last reference: the threads keep the pool alive until then.
public final class PostgresPool: Sendable, CustomStringConvertible {
    /// Work for a pool thread: gets the checked-out connection, or why there is none.
    private typealias Job = @Sendable (Result<PostgresConnection, PostgresError>) -> Void

    private struct State: Sendable {
        var queue: [Job] = []
        var queueHead = 0
        var startedThreads = 0
        var exitedThreads = 0
        /// Threads that found no work and are about to wait (or are waiting) for a signal.
        var idleThreads = 0
        var closing = false
        var exitWaiters: [CheckedContinuation<Void, Never>] = []

        mutating func popJob() -> Job? {
            guard queueHead < queue.count else { return nil }
            let job = queue[queueHead]
            queueHead += 1
            // Compact now and then so a long-lived pool does not keep every job it ever ran.
            if queueHead == queue.count {
                queue.removeAll(keepingCapacity: true)
                queueHead = 0
            } else if queueHead > 64, queueHead * 2 > queue.count {
                queue.removeFirst(queueHead)
                queueHead = 0
            }
            return job
        }
    }

    /// The most connections (and threads) this pool opens.
    public let size: Int
    private let info: ConnectionInfo
    private let logger: Logger
    private let state = Mutex(State())
    /// One signal per queued job and per thread asked to exit. A thread may wake to find the job
    /// already taken by a busier sibling; it then simply waits again.
    private let wakeups = DispatchSemaphore(value: 0)

    /// Creates a pool; no connection is opened until the first statement needs one.
    ///
    /// - Parameters:
    ///   - url: a libpq connection string, usually `postgresql://user:password@host:port/db`.
    ///     `connect_timeout` defaults to 10 seconds unless the URL sets it.
    ///   - size: the most connections open at once (at least 1).
    /// - Throws: ``PostgresError`` of kind ``PostgresError/Kind/configuration`` when libpq cannot
    ///   parse the URL; the message never contains the password.
    public init(url: String, size: Int = 4, logger: Logger = Logger(label: "recall.postgres")) throws(PostgresError) {
        precondition(size >= 1, "a pool needs at least one connection")
        self.info = try ConnectionInfo(url)
        self.size = size
        self.logger = logger
    }

    /// `host:port/dbname` and the size; never the password.
    public var description: String {
        "PostgresPool(\(info.endpoint), size: \(size))"
    }

    /// Runs `body` with a connection on its pool thread and returns what it returns.
    ///
    /// `body` runs synchronously on the pool thread, so it must not wait for async work; keep it to
    /// the statements that belong together.
    public func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            submit { checkout in
                continuation.resume(with: Result {
                    try body(checkout.get())
                })
            }
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    public func withTransaction<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await withConnection { connection in
            try connection.transaction(body)
        }
    }

    /// Runs one statement on any connection. See ``PostgresConnection/execute(_:_:)``.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?] = []) async throws -> PostgresRows {
        try await withConnection { connection in
            try connection.execute(sql, parameters)
        }
    }

    /// Lets queued work finish, then closes every connection and ends the threads. Work submitted
    /// afterwards fails with ``PostgresError/Kind/closed``.
    public func close() async {
        let threads = state.withLock { state -> Int in
            state.closing = true
            return state.startedThreads
        }
        for _ in 0..<threads { wakeups.signal() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.exitedThreads == state.startedThreads { return true }
                state.exitWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Set on the pool's own threads (to the thread's number, from 1). Foundation cannot name a
    /// thread reliably on Linux (the name is applied only if `start()` has returned by then), so
    /// this is how a thread is recognised as the pool's.
    private static let threadMarker: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "out of pthread keys")
        return key
    }()

    /// The number of the pool thread running the caller, from 1; nil on any other thread.
    static var currentThreadNumber: Int? {
        guard let marker = pthread_getspecific(threadMarker) else { return nil }
        return Int(bitPattern: marker)
    }

    private func submit(_ job: @escaping Job) {
        enum Admission { case queued(startThread: Int?), refused }
        let admission = state.withLock { state -> Admission in
            if state.closing { return .refused }
            state.queue.append(job)
            // Threads start on demand: only when nobody is free to take the job.
            if state.idleThreads == 0, state.startedThreads < size {
                state.startedThreads += 1
                return .queued(startThread: state.startedThreads)
            }
            return .queued(startThread: nil)
        }
        switch admission {
        case .refused:
            job(.failure(PostgresError(.closed, context: "using \(self)", message: "the pool was closed")))
        case .queued(let number):
            wakeups.signal()
            if let number {
                Thread { [self] in
                    pthread_setspecific(Self.threadMarker, UnsafeRawPointer(bitPattern: number))
                    run()
                }.start()
            }
        }
    }

    /// A pool thread: takes jobs until the pool closes and its queue is empty.
    private func run() {
        enum Turn { case work(Job), wait, exit }
        var connection: PostgresConnection?
        while true {
            let turn = state.withLock { state -> Turn in
                if let job = state.popJob() { return .work(job) }
                if state.closing { return .exit }
                state.idleThreads += 1
                return .wait
            }
            switch turn {
            case .wait:
                wakeups.wait()
                state.withLock { $0.idleThreads -= 1 }
            case .work(let job):
                let checkout: Result<PostgresConnection, PostgresError>
                do {
                    checkout = .success(try checkOut(&connection))
                } catch {
                    checkout = .failure(error)
                }
                job(checkout)
                // A body may leave a transaction open (a BEGIN without COMMIT); the next borrower
                // must not inherit it.
                if let open = connection, !open.isBroken, open.isInTransaction {
                    _ = try? open.execute("ROLLBACK")
                }
            case .exit:
                connection = nil
                let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                    state.exitedThreads += 1
                    guard state.exitedThreads == state.startedThreads else { return [] }
                    defer { state.exitWaiters.removeAll() }
                    return state.exitWaiters
                }
                waiters.forEach { $0.resume() }
                return
            }
        }
    }

    /// This thread's connection, opened or re-established as needed.
    private func checkOut(_ connection: inout PostgresConnection?) throws(PostgresError) -> PostgresConnection {
        guard let existing = connection else {
            let opened = try PostgresConnection.connect(info)
            connection = opened
            return opened
        }
        if existing.isBroken {
            logger.warning("PostgreSQL connection lost; reconnecting", metadata: ["postgres.server": "\(info.endpoint)"])
            try existing.reset()
            logger.info("Reconnected to PostgreSQL", metadata: ["postgres.server": "\(info.endpoint)"])
        }
        return existing
    }
}
