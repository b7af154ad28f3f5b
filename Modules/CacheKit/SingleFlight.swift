import Synchronization

/// Runs one computation per key at a time in this process; concurrent callers for the same key
/// wait for it and share its result.
///
/// When a popular answer is missing from the cache (first request, expiry, invalidation), every
/// request for it misses at once. Without coalescing each would run the whole retrieval and
/// generation; with it, the first caller (the leader) computes and the others receive the
/// leader's value — or the leader's error. Nothing is remembered after the flight lands: the next
/// caller for the key starts a new computation (caching the result is the cache's job).
///
/// If the leader's task is cancelled and its computation ends in `CancellationError`, waiters
/// that are not cancelled themselves do not inherit that: one of them becomes the new leader and
/// computes. A waiter whose own task is cancelled still waits for the flight to land (which the
/// computation's own timeouts bound).
///
/// This coalesces within one process only; across processes a Redis lock plays the same role.
public final class SingleFlight<Value: Sendable>: Sendable {
    private let flights = Mutex<[String: Flight]>([:])

    /// Creates a group with no flights.
    public init() {}

    /// Runs `operation` for `key` unless a run for `key` is already under way, in which case it
    /// waits for that run and returns its result.
    ///
    /// - Returns: the value, and whether it came from another caller's run (`shared`).
    /// - Throws: the error of the run whose result is returned; the error reaches every caller
    ///   that waited on that run.
    public func run(
        _ key: String,
        operation: () async throws -> Value
    ) async throws -> (value: Value, shared: Bool) {
        while true {
            let (flight, isLeader) = flights.withLock { flights in
                if let existing = flights[key] { return (existing, false) }
                let flight = Flight()
                flights[key] = flight
                return (flight, true)
            }

            if isLeader {
                let result: Result<Value, any Error>
                do {
                    result = .success(try await operation())
                } catch {
                    result = .failure(error)
                }
                // Leave the table before waking the waiters, so that a caller arriving after
                // this point starts a fresh run instead of joining a finished one.
                flights.withLock { flights in
                    if flights[key] === flight { flights.removeValue(forKey: key) }
                }
                flight.land(result)
                return (try result.get(), false)
            }

            let result = await flight.wait()
            if case .failure(let error) = result, error is CancellationError, !Task.isCancelled {
                continue
            }
            return (try result.get(), true)
        }
    }

    /// How many callers are waiting on the run for `key` (not counting its leader).
    func waiterCount(for key: String) -> Int {
        let flight = flights.withLock { $0[key] }
        return flight?.waiterCount ?? 0
    }

    /// One run in progress: its eventual result and the callers waiting for it.
    private final class Flight: Sendable {
        private struct State {
            var result: Result<Value, any Error>?
            var waiters: [CheckedContinuation<Result<Value, any Error>, Never>] = []
        }

        private let state = Mutex(State())

        var waiterCount: Int { state.withLock { $0.waiters.count } }

        func wait() async -> Result<Value, any Error> {
            await withCheckedContinuation { continuation in
                // The flight may have landed between the table lookup and this point.
                let landed = state.withLock { state -> Result<Value, any Error>? in
                    if let result = state.result { return result }
                    state.waiters.append(continuation)
                    return nil
                }
                if let landed { continuation.resume(returning: landed) }
            }
        }

        func land(_ result: Result<Value, any Error>) {
            let waiters = state.withLock { state in
                state.result = result
                defer { state.waiters = [] }
                return state.waiters
            }
            // Resume outside the lock: resuming schedules work, and nothing needs the lock for it.
            for waiter in waiters { waiter.resume(returning: result) }
        }
    }
}
