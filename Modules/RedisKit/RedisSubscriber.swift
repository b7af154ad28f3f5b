import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Receives messages published to Redis channels, on a dedicated connection and thread.
///
/// A subscribed connection can do nothing else, so it is never part of a ``RedisClient`` pool.
/// The subscriber connects when ``messages()`` is first called, and from then on keeps itself
/// subscribed: when the connection breaks it emits ``SubscriberEvent/disconnected``, reconnects
/// with backoff (50 ms doubling to 2 s), subscribes again and emits
/// ``SubscriberEvent/connected``. An idle connection is checked with `PING` every few seconds, so
/// a server that vanished without closing the socket is noticed too.
///
/// ```swift
/// let subscriber = RedisSubscriber(configuration: configuration, channels: ["cache-invalidation"])
/// for await event in subscriber.messages() {
///     switch event {
///     case .message(_, let payload): nearCache.remove(String(decoding: payload, as: UTF8.self))
///     case .disconnected: nearCache.removeAll()
///     case .connected: break
///     }
/// }
/// ```
public final class RedisSubscriber: Sendable {
    private let core: SubscriberCore

    /// A subscriber for `channels`; nothing connects until ``messages()`` is called.
    ///
    /// - Parameters:
    ///   - configuration: The server and credentials; ``RedisConfiguration/poolSize`` is ignored.
    ///   - channels: Exact channel names (`SUBSCRIBE`, not patterns).
    ///   - logger: Receives connection losses and reconnects; `nil` logs nothing.
    public init(configuration: RedisConfiguration, channels: [String], logger: Logger? = nil) {
        ProcessSignals.ignoreSIGPIPE()
        core = SubscriberCore(
            configuration: configuration,
            channels: channels,
            logger: logger ?? Logger(label: "RedisKit", factory: { _ in SwiftLogNoOpLogHandler() })
        )
    }

    deinit {
        core.requestStop()
    }

    /// A stream of messages and connection changes; the first call starts the subscriber.
    ///
    /// Each call returns a new stream that receives every event from then on. The stream buffers
    /// without limit, because dropping an invalidation would leave a near-cache stale; consume it
    /// promptly. It finishes when the subscriber is stopped, or released: keep a reference to the
    /// subscriber for as long as you consume it.
    public func messages() -> AsyncStream<SubscriberEvent> {
        core.makeStream()
    }

    /// Unsubscribes, closes the connection, finishes every stream and waits for the thread to end.
    public func stop() async {
        await core.stop()
    }
}

/// The state a subscriber shares with its thread; the thread keeps it alive, not the subscriber,
/// so dropping the subscriber can stop the thread.
final class SubscriberCore: Sendable {
    /// An idle connection is probed with `PING` after this long without traffic.
    static let healthCheckInterval: Duration = .seconds(5)

    private struct State: Sendable {
        var streams: [Int: AsyncStream<SubscriberEvent>.Continuation] = [:]
        var nextStreamID = 0
        var started = false
        var stopping = false
        var exited = false
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private enum ListenEnd: Error {
        case stopRequested
    }

    let configuration: RedisConfiguration
    let channels: [String]
    private let logger: Logger
    private let state = Mutex(State())
    /// A self-pipe: `stop()` writes a byte so a thread blocked in `poll(2)` wakes at once.
    private let wakeRead: Int32
    private let wakeWrite: Int32

    init(configuration: RedisConfiguration, channels: [String], logger: Logger) {
        self.configuration = configuration
        self.channels = channels
        self.logger = logger
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    deinit {
        // Only the thread and the subscriber reference this object, so no one can write any more.
        if wakeRead >= 0 { close(wakeRead) }
        if wakeWrite >= 0 { close(wakeWrite) }
    }

    func makeStream() -> AsyncStream<SubscriberEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: SubscriberEvent.self)
        enum Registration { case finished, registered(Int), start(Int) }
        let registration = state.withLock { state -> Registration in
            if state.stopping || state.exited { return .finished }
            let id = state.nextStreamID
            state.nextStreamID += 1
            state.streams[id] = continuation
            if state.started { return .registered(id) }
            state.started = true
            return .start(id)
        }
        switch registration {
        case .finished:
            continuation.finish()
        case .registered(let id):
            continuation.onTermination = { [weak self] _ in self?.removeStream(id) }
        case .start(let id):
            continuation.onTermination = { [weak self] _ in self?.removeStream(id) }
            let thread = Thread { [self] in run() }
            thread.name = "redis-subscriber"
            thread.start()
        }
        return stream
    }

    func requestStop() {
        let finished = state.withLock { state -> [AsyncStream<SubscriberEvent>.Continuation] in
            guard !state.stopping else { return [] }
            state.stopping = true
            if !state.started {
                state.exited = true
                defer { state.streams.removeAll() }
                return Array(state.streams.values)
            }
            if !state.exited, wakeWrite >= 0 {
                var byte: UInt8 = 1
                _ = write(wakeWrite, &byte, 1)
            }
            return []
        }
        finished.forEach { $0.finish() }
    }

    func stop() async {
        requestStop()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let exited = state.withLock { state -> Bool in
                if state.exited { return true }
                state.exitWaiters.append(continuation)
                return false
            }
            if exited { continuation.resume() }
        }
    }

    private func removeStream(_ id: Int) {
        _ = state.withLock { $0.streams.removeValue(forKey: id) }
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    private func emit(_ event: SubscriberEvent) {
        let streams = state.withLock { Array($0.streams.values) }
        for stream in streams {
            stream.yield(event)
        }
    }

    // MARK: - The subscriber thread

    private func run() {
        var backoff = ReconnectBackoff()
        while !isStopping {
            let connection: HiredisConnection
            do {
                connection = try HiredisConnection.connect(configuration)
                try subscribe(on: connection)
            } catch {
                let delay = backoff.nextDelay()
                logger.warning("Could not subscribe on Redis", metadata: [
                    "error": "\(error.message)", "retry_in_ms": "\(delay.wholeMillisecondsRoundedUp)",
                ])
                _ = sleepUnlessStopped(delay)
                continue
            }
            backoff.reset()
            logger.info("Subscribed on Redis", metadata: [
                "redis.server": "\(configuration)", "redis.channels": "\(channels.joined(separator: ","))",
            ])
            emit(.connected)
            do {
                try listen(on: connection)
            } catch ListenEnd.stopRequested {
                break
            } catch {
                logger.warning("Redis subscription lost", metadata: ["error": "\(error)"])
                emit(.disconnected)
                // Waiting a little even after a good connection keeps a server that accepts and
                // then drops us from turning this loop into a spin.
                _ = sleepUnlessStopped(backoff.nextDelay())
            }
        }
        let (streams, waiters) = state.withLock { state in
            state.exited = true
            defer {
                state.streams.removeAll()
                state.exitWaiters.removeAll()
            }
            return (Array(state.streams.values), state.exitWaiters)
        }
        streams.forEach { $0.finish() }
        waiters.forEach { $0.resume() }
    }

    private func subscribe(on connection: HiredisConnection) throws(RedisError) {
        guard !channels.isEmpty else { return }
        try connection.append(RedisCommand(["SUBSCRIBE"] + channels))
        var confirmed = 0
        while confirmed < channels.count {
            let reply = try connection.readReply()
            if case .error(let message) = reply {
                throw RedisError(.server, message)
            }
            if reply.array?.first?.string == "subscribe" {
                confirmed += 1
            } else {
                handle(reply)
            }
        }
    }

    /// Delivers messages until the connection fails (throws its error) or stop is requested
    /// (throws ``ListenEnd/stopRequested``).
    private func listen(on connection: HiredisConnection) throws {
        let clock = ContinuousClock()
        var lastTraffic = clock.now
        var pingSent: ContinuousClock.Instant?
        while true {
            while let reply = try connection.bufferedReply() {
                handle(reply)
                lastTraffic = clock.now
                pingSent = nil
            }

            let now = clock.now
            let deadline = pingSent.map { $0 + configuration.commandTimeout }
                ?? lastTraffic + Self.healthCheckInterval
            let waitMilliseconds = Int32(clamping: max(0, min(1000, (deadline - now).wholeMillisecondsRoundedUp)))

            var fds = [
                pollfd(fd: connection.fileDescriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, 2, waitMilliseconds)
            if ready < 0 && errno != EINTR {
                throw RedisError(.io, "poll(2) failed on the Redis subscription: \(String(cString: strerror(errno)))")
            }
            if fds[1].revents != 0 {
                drainWakePipe()
            }
            if isStopping { throw ListenEnd.stopRequested }
            if fds[0].revents != 0 {
                // Readable, hung up or in error: a blocking read either gets data or the error.
                handle(try connection.readReply())
                lastTraffic = clock.now
                pingSent = nil
                continue
            }

            let after = clock.now
            if let pingSent {
                if after - pingSent >= configuration.commandTimeout {
                    throw RedisError(.timeout, "Redis at \(configuration.endpoint) did not answer a PING on the "
                                     + "subscription within \(configuration.commandTimeout.humanReadable)")
                }
            } else if after - lastTraffic >= Self.healthCheckInterval {
                try connection.append(RedisCommand(["PING"]))
                try connection.flush()
                pingSent = after
            }
        }
    }

    private func handle(_ reply: RESPValue) {
        guard let parts = reply.array, parts.count == 3, parts[0].string == "message",
              let channel = parts[1].string else { return }
        emit(.message(channel: channel, payload: parts[2].bytes ?? []))
    }

    /// Waits for `delay` or until stop is requested; returns true when stopping.
    private func sleepUnlessStopped(_ delay: Duration) -> Bool {
        let clock = ContinuousClock()
        let end = clock.now + delay
        while !isStopping {
            let remaining = end - clock.now
            if remaining <= .zero { return false }
            var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            if poll(&fds, 1, Int32(clamping: remaining.wholeMillisecondsRoundedUp)) > 0 {
                drainWakePipe()
            }
        }
        return true
    }

    private func drainWakePipe() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }
}
