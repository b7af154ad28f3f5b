import Foundation
import RedisKit

/// The beat's leadership lease on Redis: one key holding the leader's token with a short TTL.
///
/// Taken with `SET key token NX PX ttl`, renewed by a compare-and-renew script and given up by a
/// compare-and-delete script, so a beat can only ever extend or delete its own lease, never one
/// that another beat took after it expired.
struct RedisBeatLease: BeatLease {
    let redis: RedisClient
    let key: String
    let token: String

    init(redis: RedisClient, key: String, holder: String) {
        self.redis = redis
        self.key = key
        // The holder's name makes `GET` of the key say who leads; the suffix keeps two beats with
        // the same name (a restarted process reusing a pid) apart.
        self.token = "\(holder)#\(UUID().uuidString.prefix(8).lowercased())"
    }

    func acquire(ttl: Duration) async throws -> Bool {
        try await redis.setIfAbsent(key, value: Array(token.utf8), ttl: ttl)
    }

    func renew(ttl: Duration) async throws -> Bool {
        let reply = try await redis.evalScript(
            JobScripts.renewLease, keys: [key], args: [token, String(RedisStreamsQueue.milliseconds(ttl))])
        return reply.int == 1
    }

    func release() async throws {
        _ = try await redis.evalScript(JobScripts.releaseLease, keys: [key], args: [token])
    }

    func holder() async throws -> String? {
        try await redis.get(key).map { String(decoding: $0, as: UTF8.self) }
    }
}
