import Synchronization

/// A bounded, in-process least-recently-used ``EmbeddingCache``.
///
/// Bounded by the bytes of the vectors it holds (a 3072-float vector is 12 KiB, so the default
/// 64 MiB keeps about 5,000), evicting the least recently used first.
public final class InMemoryEmbeddingCache: EmbeddingCache {
    /// Counters, for tests and metrics.
    public struct Statistics: Sendable, Equatable {
        /// Keys found.
        public var hits = 0
        /// Keys not found.
        public var misses = 0
        /// Vectors held now.
        public var entries = 0
        /// Bytes of the vectors held now.
        public var bytes = 0
        /// Vectors dropped to stay under ``InMemoryEmbeddingCache/maximumBytes``.
        public var evictions = 0
    }

    private struct State {
        var table = LRUList()
        var statistics = Statistics()
    }

    /// The most vector bytes held at once.
    public let maximumBytes: Int
    private let state = Mutex(State())

    /// A cache holding at most `maximumBytes` of vectors.
    public init(maximumBytes: Int = 64 << 20) {
        self.maximumBytes = max(0, maximumBytes)
    }

    /// The counters so far.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    public func vectors(for keys: [EmbeddingCacheKey]) async -> [[Float]?] {
        state.withLock { state in
            keys.map { key in
                let vector = state.table.get(key)
                if vector == nil { state.statistics.misses += 1 } else { state.statistics.hits += 1 }
                return vector
            }
        }
    }

    public func store(_ entries: [(key: EmbeddingCacheKey, vector: [Float])]) async {
        state.withLock { state in
            for (key, vector) in entries {
                let size = vector.count * MemoryLayout<Float>.stride
                guard size <= maximumBytes else { continue }
                state.table.set(key, vector)
                while state.table.bytes > maximumBytes, state.table.removeOldest() {
                    state.statistics.evictions += 1
                }
            }
            state.statistics.entries = state.table.count
            state.statistics.bytes = state.table.bytes
        }
    }
}

/// A doubly linked list over array slots plus a dictionary: O(1) get, set and eviction.
struct LRUList {
    private struct Node {
        var key: EmbeddingCacheKey
        var vector: [Float]
        var newer: Int?
        var older: Int?
    }

    private var nodes: [Node] = []
    private var free: [Int] = []
    private var index: [EmbeddingCacheKey: Int] = [:]
    private var newest: Int?
    private var oldest: Int?
    private(set) var bytes = 0

    var count: Int { index.count }

    mutating func get(_ key: EmbeddingCacheKey) -> [Float]? {
        guard let slot = index[key] else { return nil }
        moveToFront(slot)
        return nodes[slot].vector
    }

    mutating func set(_ key: EmbeddingCacheKey, _ vector: [Float]) {
        let size = vector.count * MemoryLayout<Float>.stride
        if let slot = index[key] {
            bytes += size - nodes[slot].vector.count * MemoryLayout<Float>.stride
            nodes[slot].vector = vector
            moveToFront(slot)
            return
        }
        let node = Node(key: key, vector: vector, newer: nil, older: nil)
        let slot: Int
        if let reused = free.popLast() {
            nodes[reused] = node
            slot = reused
        } else {
            nodes.append(node)
            slot = nodes.count - 1
        }
        index[key] = slot
        bytes += size
        linkAtFront(slot)
    }

    /// Drops the least recently used entry; false when empty.
    mutating func removeOldest() -> Bool {
        guard let slot = oldest else { return false }
        unlink(slot)
        index[nodes[slot].key] = nil
        bytes -= nodes[slot].vector.count * MemoryLayout<Float>.stride
        nodes[slot].vector = []
        free.append(slot)
        return true
    }

    private mutating func moveToFront(_ slot: Int) {
        guard newest != slot else { return }
        unlink(slot)
        linkAtFront(slot)
    }

    private mutating func linkAtFront(_ slot: Int) {
        nodes[slot].newer = nil
        nodes[slot].older = newest
        if let newest { nodes[newest].newer = slot }
        newest = slot
        if oldest == nil { oldest = slot }
    }

    private mutating func unlink(_ slot: Int) {
        let (newer, older) = (nodes[slot].newer, nodes[slot].older)
        if let newer { nodes[newer].older = older } else { newest = older }
        if let older { nodes[older].newer = newer } else { oldest = newer }
        nodes[slot].newer = nil
        nodes[slot].older = nil
    }
}
