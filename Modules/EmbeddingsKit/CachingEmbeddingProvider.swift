import Synchronization

/// Wraps a provider so that a text is embedded once: later calls read the ``EmbeddingCache``,
/// repeats within one call are sent once, and concurrent calls for the same text share one
/// request instead of racing.
///
/// ```swift
/// let provider = CachingEmbeddingProvider(base: gemini, cache: InMemoryEmbeddingCache())
/// ```
///
/// Keys are ``EmbeddingCacheKey``s of (model, dimensions, task, text and title), so vectors of
/// different models, sizes or tasks never mix.
public final class CachingEmbeddingProvider: EmbeddingProvider {
    /// The provider that computes what the cache does not have.
    public let base: any EmbeddingProvider
    /// Where vectors are kept.
    public let cache: any EmbeddingCache
    /// The base provider's model.
    public var model: String { base.model }
    /// The base provider's dimensions.
    public var dimensions: Int { base.dimensions }

    private let inFlight = Mutex<[EmbeddingCacheKey: PendingVector]>([:])

    /// A caching wrapper around `base`.
    public init(base: any EmbeddingProvider, cache: any EmbeddingCache = InMemoryEmbeddingCache()) {
        self.base = base
        self.cache = cache
    }

    public func embed(_ texts: [String], task: EmbeddingTask, titles: [String?]?) async throws -> [[Float]] {
        try validateTitles(titles, count: texts.count)
        if texts.isEmpty { return [] }
        let effectiveTitles: [String?] = texts.indices.map { task.acceptsTitle ? titles?[$0] ?? nil : nil }
        let keys = texts.indices.map {
            EmbeddingCacheKey(model: model, dimensions: dimensions, task: task, text: texts[$0], title: effectiveTitles[$0])
        }
        // First occurrence of each distinct key: a repeated text is looked up and sent once.
        var firstIndex: [EmbeddingCacheKey: Int] = [:]
        for (position, key) in keys.enumerated() where firstIndex[key] == nil { firstIndex[key] = position }
        let distinct = keys.indices.filter { firstIndex[keys[$0]] == $0 }.map { keys[$0] }

        var found: [EmbeddingCacheKey: [Float]] = [:]
        let cached = await cache.vectors(for: distinct)
        for (key, vector) in zip(distinct, cached) {
            if let vector, vector.count == dimensions { found[key] = vector }
        }
        let missing = distinct.filter { found[$0] == nil }

        if !missing.isEmpty {
            // Claim each missing key, or join the call that already claimed it.
            var owned: [(key: EmbeddingCacheKey, pending: PendingVector)] = []
            var joined: [(key: EmbeddingCacheKey, pending: PendingVector)] = []
            inFlight.withLock { table in
                for key in missing {
                    if let pending = table[key] {
                        joined.append((key, pending))
                    } else {
                        let pending = PendingVector()
                        table[key] = pending
                        owned.append((key, pending))
                    }
                }
            }
            if !owned.isEmpty {
                let positions = owned.map { firstIndex[$0.key]! }
                do {
                    let vectors = try await base.embed(
                        positions.map { texts[$0] }, task: task, titles: titles == nil ? nil : positions.map { effectiveTitles[$0] }
                    )
                    guard vectors.count == owned.count else {
                        throw EmbeddingError(.invalidResponse, "\(model) returned \(vectors.count) vectors for \(owned.count) texts")
                    }
                    let entries = zip(owned, vectors).map { (key: $0.key, vector: $1) }
                    // Stored before the claims are released, so a newcomer finds either the
                    // claim or the cached vector, never neither.
                    await cache.store(entries)
                    settle(owned, with: entries.map { .success($0.vector) })
                    for entry in entries { found[entry.key] = entry.vector }
                } catch {
                    settle(owned, with: owned.map { _ in .failure(error) })
                    throw error
                }
            }
            for (key, pending) in joined {
                do {
                    found[key] = try await pending.value()
                } catch is CancellationError where !Task.isCancelled {
                    // The call we joined was cancelled, not us: embed this text ourselves.
                    let position = firstIndex[key]!
                    found[key] = try await embed([texts[position]], task: task, titles: effectiveTitles[position].map { [$0] }).first
                }
            }
        }
        return try keys.map { key in
            guard let vector = found[key] else {
                throw EmbeddingError(.invalidResponse, "\(model) returned no vector for one of the texts")
            }
            return vector
        }
    }

    private func settle(_ owned: [(key: EmbeddingCacheKey, pending: PendingVector)], with results: [Result<[Float], any Error>]) {
        inFlight.withLock { table in
            for (key, _) in owned { table[key] = nil }
        }
        for ((_, pending), result) in zip(owned, results) { pending.resolve(result) }
    }
}

/// A vector another call is computing: waiters park here until it resolves, once.
final class PendingVector: Sendable {
    private enum State {
        case waiting([CheckedContinuation<[Float], any Error>])
        case done(Result<[Float], any Error>)
    }

    private let state = Mutex(State.waiting([]))

    func value() async throws -> [Float] {
        try await withCheckedThrowingContinuation { continuation in
            let result = state.withLock { state -> Result<[Float], any Error>? in
                switch state {
                case .done(let result):
                    return result
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                }
            }
            if let result { continuation.resume(with: result) }
        }
    }

    func resolve(_ result: Result<[Float], any Error>) {
        let waiters = state.withLock { state -> [CheckedContinuation<[Float], any Error>] in
            guard case .waiting(let waiters) = state else { return [] }
            state = .done(result)
            return waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }
}
