/// A Lua script run with ``RedisClient/evalScript(_:keys:args:)``.
///
/// Create it once (a `static let` is typical) and reuse it: the client learns its SHA1 from
/// `SCRIPT LOAD` the first time and sends only `EVALSHA` afterwards.
public struct RedisScript: Sendable, Hashable {
    /// The Lua source.
    public let source: String

    /// A script from its Lua source.
    public init(_ source: String) {
        self.source = source
    }
}

extension RedisClient {
    /// Runs a script with `EVALSHA`, loading it first when the server does not know it
    /// (first use, a restarted server, `SCRIPT FLUSH`).
    ///
    /// - Parameters:
    ///   - keys: Passed as `KEYS[1…]`; name every key the script touches here (Redis Cluster
    ///     and replicas rely on it).
    ///   - args: Passed as `ARGV[1…]`.
    /// - Returns: The script's return value.
    /// - Throws: ``RedisError``; a Lua error is thrown as ``RedisError/Kind/server``.
    public func evalScript(_ script: RedisScript, keys: [String], args: [String]) async throws -> RESPValue {
        let digest: String
        if let known = cachedDigest(of: script) {
            digest = known
        } else {
            digest = try await load(script)
        }
        do {
            return try await send(["EVALSHA", digest, String(keys.count)] + keys + args)
        } catch let error as RedisError where error.serverErrorCode == "NOSCRIPT" {
            let reloaded = try await load(script)
            return try await send(["EVALSHA", reloaded, String(keys.count)] + keys + args)
        }
    }

    private func load(_ script: RedisScript) async throws -> String {
        let reply = try await send(["SCRIPT", "LOAD", script.source])
        guard let digest = reply.string, !digest.isEmpty else { throw unexpected(reply, from: "SCRIPT LOAD") }
        rememberDigest(digest, of: script)
        return digest
    }
}
