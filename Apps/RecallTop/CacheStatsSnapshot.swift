import Foundation

/// `GET /api/v1/cache/stats`: the seed's fields for whichever backend the server uses.
///
/// Every field is optional and read leniently (a number may come as an integer, a float or a
/// numeric string), because the contract only promises that fields are added, never renamed.
struct CacheStatsSnapshot: Sendable, Equatable, Decodable {
    var backend: String?
    var timestamp: Double?
    var redisUsedMemory: Double?
    var redisMaxMemory: Double?
    var redisConnectedClients: Double?
    var redisKeyspaceHits: Double?
    var redisKeyspaceMisses: Double?
    var hitRate: Double?
    var processHits: Double?
    var processMisses: Double?
    var processHitRate: Double?
    var memoryCacheSize: Double?
    var memoryCacheMaxSize: Double?
    var memoryCacheDefaultTTL: Double?

    enum CodingKeys: String, CodingKey {
        case backend, timestamp
        case redisUsedMemory = "redis_used_memory"
        case redisMaxMemory = "redis_maxmemory"
        case redisConnectedClients = "redis_connected_clients"
        case redisKeyspaceHits = "redis_keyspace_hits"
        case redisKeyspaceMisses = "redis_keyspace_misses"
        case hitRate = "hit_rate"
        case processHits = "hits"
        case processMisses = "misses"
        case processHitRate = "hit_rate_process"
        case memoryCacheSize = "memory_cache_size"
        case memoryCacheMaxSize = "memory_cache_max_size"
        case memoryCacheDefaultTTL = "memory_cache_default_ttl"
    }

    init() {}

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        backend = try? container.decodeIfPresent(String.self, forKey: .backend)
        func number(_ key: CodingKeys) -> Double? { LenientNumber.decode(container, key) }
        timestamp = number(.timestamp)
        redisUsedMemory = number(.redisUsedMemory)
        redisMaxMemory = number(.redisMaxMemory)
        redisConnectedClients = number(.redisConnectedClients)
        redisKeyspaceHits = number(.redisKeyspaceHits)
        redisKeyspaceMisses = number(.redisKeyspaceMisses)
        hitRate = number(.hitRate)
        processHits = number(.processHits)
        processMisses = number(.processMisses)
        processHitRate = number(.processHitRate)
        memoryCacheSize = number(.memoryCacheSize)
        memoryCacheMaxSize = number(.memoryCacheMaxSize)
        memoryCacheDefaultTTL = number(.memoryCacheDefaultTTL)
    }
}

/// Numbers as servers actually send them: integers, floats, or numbers in strings.
enum LenientNumber {
    static func decode<Key: CodingKey>(_ container: KeyedDecodingContainer<Key>, _ key: Key) -> Double? {
        if let value = try? container.decodeIfPresent(Double.self, forKey: key) { return value }
        if let text = try? container.decodeIfPresent(String.self, forKey: key) { return Double(text) }
        return nil
    }
}
