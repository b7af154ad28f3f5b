import Synchronization

/// Counts a worker's running jobs against its concurrency, and wakes the fetch loop when a slot
/// frees up or the worker is told to stop.
final class WorkerSlots: Sendable {
    private struct State {
        var running = 0
        var closed = false
        var freeWaiter: CheckedContinuation<Void, Never>?
        var emptyWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        /// Waiters whose timer fired before they registered: they must not wait at all.
        var expiredWaiters: Set<Int> = []
        var nextWaiter = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    var running: Int { state.withLock { $0.running } }
    var isClosed: Bool { state.withLock { $0.closed } }

    /// Waits until at least one slot is free and returns how many are; 0 once closed.
    func waitForFree() async -> Int {
        while true {
            let free = state.withLock { state -> Int? in
                if state.closed { return 0 }
                return state.running < capacity ? capacity - state.running : nil
            }
            if let free { return free }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waiting = state.withLock { state -> Bool in
                    guard !state.closed, state.running >= capacity else { return false }
                    state.freeWaiter = continuation
                    return true
                }
                if !waiting { continuation.resume() }
            }
        }
    }

    func acquire() {
        state.withLock { $0.running += 1 }
    }

    func release() {
        let (free, empty) = state.withLock { state -> (CheckedContinuation<Void, Never>?, [CheckedContinuation<Void, Never>]) in
            state.running -= 1
            let free = state.freeWaiter
            state.freeWaiter = nil
            guard state.running == 0 else { return (free, []) }
            defer { state.emptyWaiters.removeAll() }
            return (free, Array(state.emptyWaiters.values))
        }
        free?.resume()
        empty.forEach { $0.resume() }
    }

    /// Stops handing out slots: the fetch loop's wait returns 0.
    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            defer { state.freeWaiter = nil }
            return state.freeWaiter
        }
        waiter?.resume()
    }

    /// Waits until no job runs, or `timeout` passes; returns whether none runs.
    func waitUntilEmpty(timeout: Duration) async -> Bool {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard let waiter = state.emptyWaiters.removeValue(forKey: id) else {
                    state.expiredWaiters.insert(id)
                    return nil
                }
                return waiter
            }?.resume()
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let waiting = state.withLock { state -> Bool in
                guard state.running > 0, state.expiredWaiters.remove(id) == nil else { return false }
                state.emptyWaiters[id] = continuation
                return true
            }
            if !waiting { continuation.resume() }
        }
        timer.cancel()
        state.withLock { _ = $0.expiredWaiters.remove(id) }
        return running == 0
    }
}
