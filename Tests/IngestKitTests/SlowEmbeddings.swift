import EmbeddingsKit
import Synchronization

/// Real local embeddings behind a delay, recording how many calls overlap, and optionally
/// failing one call the way a Gemini outage does.
final class SlowEmbeddings: EmbeddingProvider {
    private struct Counters {
        var inFlight = 0
        var peak = 0
        var calls = 0
    }

    let base: LocalEmbeddings
    let delay: Duration
    let failingCall: Int?
    private let counters = Mutex(Counters())

    var model: String { base.model }
    var dimensions: Int { base.dimensions }
    var peak: Int { counters.withLock { $0.peak } }
    var calls: Int { counters.withLock { $0.calls } }

    init(base: LocalEmbeddings, delay: Duration, failingCall: Int? = nil) {
        self.base = base
        self.delay = delay
        self.failingCall = failingCall
    }

    func embed(_ texts: [String], task: EmbeddingTask, titles: [String?]?) async throws -> [[Float]] {
        let call = counters.withLock { counters in
            counters.calls += 1
            counters.inFlight += 1
            counters.peak = max(counters.peak, counters.inFlight)
            return counters.calls
        }
        defer { counters.withLock { $0.inFlight -= 1 } }
        if delay > .zero { try await Task.sleep(for: delay) }
        if call == failingCall {
            throw EmbeddingError(.unavailable, "the service kept failing (503)", httpStatus: 503)
        }
        return try await base.embed(texts, task: task, titles: titles)
    }
}
