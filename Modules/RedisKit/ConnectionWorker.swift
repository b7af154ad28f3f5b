import Dispatch
import Foundation
import Logging
import Synchronization

/// A request waiting for its connection thread: one command, or a caller's pipeline that must
/// stay together on one connection so its replies come back in order.
struct PendingRequest: Sendable {
    let commands: [RedisCommand]
    let continuation: CheckedContinuation<[RESPValue], any Error>

    func fail(_ error: RedisError) {
        continuation.resume(throwing: error)
    }
}

/// One pooled connection and the OS thread that owns it.
///
/// hiredis is blocking and a context is not thread-safe, so the context lives on this thread
/// alone, and async callers only ever touch the queue under the mutex. Every time the thread
/// wakes it takes everything queued, appends it all to hiredis's output buffer, writes it in one
/// go and then reads the replies in order: concurrent callers share round trips (automatic
/// pipelining), which is where the throughput of this client comes from.
final class ConnectionWorker: Sendable {
    /// Caps one batch so a flood of callers cannot grow a single write without bound; the rest is
    /// taken on the next turn of the loop, without waiting.
    static let maximumBatch = 512

    private struct State: Sendable {
        var queue: [PendingRequest] = []
        var threadStarted = false
        var sleeping = false
        var closing = false
        var exited = false
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
        /// Set after a failed connect: until `until`, requests fail at once with `error` instead
        /// of queueing behind another doomed attempt.
        var retry: (until: ContinuousClock.Instant, error: RedisError)?
    }

    private enum Turn {
        case sleep
        case work([PendingRequest])
        case exit([PendingRequest])
    }

    private let state = Mutex(State())
    /// Signalled only when the thread said it is going to sleep, so it counts exactly one wake-up
    /// per sleep and none is lost between "queue is empty" and `wait()`.
    private let wakeup = DispatchSemaphore(value: 0)
    private let configuration: RedisConfiguration
    private let logger: Logger
    private let index: Int

    init(index: Int, configuration: RedisConfiguration, logger: Logger) {
        self.index = index
        self.configuration = configuration
        self.logger = logger
    }

    /// Queues a request; never blocks beyond the mutex. Fails it at once when the worker is
    /// closed or waiting out a reconnect backoff, except that with `declineDuringBackoff` it
    /// returns `false` instead and leaves the request to the caller, so the pool can try a
    /// connection that is up.
    @discardableResult
    func submit(_ request: PendingRequest, declineDuringBackoff: Bool = false) -> Bool {
        enum Action { case none, wake, start, fail(RedisError), decline }
        let action = state.withLock { state -> Action in
            if state.closing { return .fail(RedisError(.closed, "the Redis client was shut down")) }
            if let retry = state.retry, ContinuousClock.now < retry.until {
                return declineDuringBackoff ? .decline : .fail(retry.error)
            }
            state.queue.append(request)
            if !state.threadStarted {
                state.threadStarted = true
                return .start
            }
            if state.sleeping {
                state.sleeping = false
                return .wake
            }
            return .none
        }
        switch action {
        case .none: break
        case .wake: wakeup.signal()
        case .start: startThread()
        case .fail(let error): request.fail(error)
        case .decline: return false
        }
        return true
    }

    /// Asks the thread to fail what is queued, free its connection and exit; returns at once.
    func beginClose() {
        let wake = state.withLock { state -> Bool in
            state.closing = true
            if !state.threadStarted { state.exited = true }
            guard state.sleeping else { return false }
            state.sleeping = false
            return true
        }
        if wake { wakeup.signal() }
    }

    /// Closes and waits until the thread has exited and the connection is freed.
    func close() async {
        beginClose()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let exited = state.withLock { state -> Bool in
                if state.exited { return true }
                state.exitWaiters.append(continuation)
                return false
            }
            if exited { continuation.resume() }
        }
    }

    private func startThread() {
        let thread = Thread { [self] in run() }
        thread.name = "redis-conn-\(index)"
        thread.start()
    }

    private func run() {
        var connection: HiredisConnection?
        var backoff = ReconnectBackoff()
        while true {
            let turn = state.withLock { state -> Turn in
                if state.closing {
                    defer { state.queue.removeAll() }
                    return .exit(state.queue)
                }
                if state.queue.isEmpty {
                    state.sleeping = true
                    return .sleep
                }
                if state.queue.count <= Self.maximumBatch {
                    defer { state.queue.removeAll(keepingCapacity: true) }
                    return .work(state.queue)
                }
                defer { state.queue.removeFirst(Self.maximumBatch) }
                return .work(Array(state.queue.prefix(Self.maximumBatch)))
            }

            switch turn {
            case .sleep:
                wakeup.wait()
            case .exit(let leftovers):
                connection = nil
                let closed = RedisError(.closed, "the Redis client was shut down")
                leftovers.forEach { $0.fail(closed) }
                let waiters = state.withLock { state in
                    state.exited = true
                    defer { state.exitWaiters.removeAll() }
                    return state.exitWaiters
                }
                waiters.forEach { $0.resume() }
                return
            case .work(let batch):
                if connection == nil {
                    connection = connect(failing: batch, backoff: &backoff)
                    if connection == nil { continue }
                }
                if let error = execute(batch, on: connection!) {
                    // hiredis contexts are unusable after any transport error: drop it, and let the
                    // next request reconnect straight away (a server that closed idle clients is
                    // back at once; one that is down puts us into backoff on that attempt).
                    connection = nil
                    logger.warning("Redis connection lost", metadata: [
                        "redis.connection": "\(index)", "error": "\(error.message)",
                    ])
                }
            }
        }
    }

    /// Opens the connection for `batch`, or fails the batch and starts a backoff window.
    private func connect(failing batch: [PendingRequest], backoff: inout ReconnectBackoff) -> HiredisConnection? {
        if let retry = state.withLock({ $0.retry }), ContinuousClock.now < retry.until {
            batch.forEach { $0.fail(retry.error) }
            return nil
        }
        do {
            let connection = try HiredisConnection.connect(configuration)
            if backoff.failures > 0 {
                logger.info("Reconnected to Redis", metadata: ["redis.server": "\(configuration)"])
            } else {
                logger.debug("Connected to Redis", metadata: [
                    "redis.server": "\(configuration)", "redis.connection": "\(index)",
                ])
            }
            backoff.reset()
            state.withLock { $0.retry = nil }
            return connection
        } catch {
            let delay = backoff.nextDelay()
            state.withLock { $0.retry = (ContinuousClock.now + delay, error) }
            logger.warning("Could not connect to Redis", metadata: [
                "redis.connection": "\(index)", "error": "\(error.message)",
                "retry_in_ms": "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)",
            ])
            batch.forEach { $0.fail(error) }
            return nil
        }
    }

    /// Runs a batch as one pipeline and resumes each caller as soon as its replies are in.
    /// Returns the transport error that killed the connection, if any.
    private func execute(_ batch: [PendingRequest], on connection: HiredisConnection) -> RedisError? {
        var completed = 0
        do {
            for request in batch {
                try connection.append(request.commands)
            }
            for request in batch {
                var replies: [RESPValue] = []
                replies.reserveCapacity(request.commands.count)
                for _ in request.commands {
                    replies.append(try connection.readReply())
                }
                completed += 1
                request.continuation.resume(returning: replies)
            }
            return nil
        } catch {
            for request in batch[completed...] {
                request.fail(error)
            }
            return error
        }
    }
}
