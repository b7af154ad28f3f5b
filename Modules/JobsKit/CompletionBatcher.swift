import Synchronization

/// Gathers finished attempts and records them in batches, one broker call per batch.
///
/// No timer and no waiting for a batch to fill: the first submitter finds no write under way and
/// writes at once (an idle queue pays no latency), and whatever finishes while that write is on
/// the wire is gathered into the next one, which the same submitter writes before it returns.
/// So the batches grow with the rate of completions by themselves.
final class CompletionBatcher<Entry: Sendable>: Sendable {
    private struct State {
        var pending: [Entry] = []
        var writing = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let maximumBatch: Int

    /// - Parameter maximumBatch: The most entries one write carries.
    init(maximumBatch: Int) {
        self.maximumBatch = max(1, maximumBatch)
    }

    /// Adds an entry; returns once it is written, or at once when another submitter's write
    /// under way will pick it up. `write` records one batch and handles its own errors; every
    /// submitter passes the same one.
    func submit(_ entry: Entry, write: ([Entry]) async -> Void) async {
        let leads = state.withLock { state -> Bool in
            state.pending.append(entry)
            if state.writing { return false }
            state.writing = true
            return true
        }
        guard leads else { return }
        while true {
            let (batch, waiters) = state.withLock { state -> ([Entry], [CheckedContinuation<Void, Never>]) in
                if state.pending.isEmpty {
                    state.writing = false
                    defer { state.idleWaiters.removeAll() }
                    return ([], state.idleWaiters)
                }
                let count = min(maximumBatch, state.pending.count)
                let batch = Array(state.pending.prefix(count))
                state.pending.removeFirst(count)
                return (batch, [])
            }
            if batch.isEmpty {
                waiters.forEach { $0.resume() }
                return
            }
            await write(batch)
        }
    }

    /// Waits until every submitted entry is written.
    func waitUntilWritten() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state -> Bool in
                if !state.writing && state.pending.isEmpty { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }
}
