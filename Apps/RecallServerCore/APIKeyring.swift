import ConfigKit
import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// The API keys of `API_KEYS` and the comparison that finds a caller's tenant.
///
/// Keys are compared through their SHA-256 digests in constant time, against every key, so
/// neither the time taken nor an early exit tells a caller how much of a guess was right. The
/// keys themselves are never logged; a caller is identified in logs and rate-limit keys by
/// ``fingerprint(of:)``.
struct APIKeyring: Sendable {
    private let entries: [(digest: [UInt8], tenant: String)]

    init(_ keys: [ServerSettings.APIKey]) {
        entries = keys.map { (Array(SHA256.hash(data: Data($0.key.utf8))), $0.tenant) }
    }

    /// True when `API_KEYS` is set and the data routes need a key.
    var isEnabled: Bool { !entries.isEmpty }

    /// The tenant of `key`, or nil when it is not one of the keys.
    func tenant(for key: String) -> String? {
        let digest = Array(SHA256.hash(data: Data(key.utf8)))
        var found: String?
        for entry in entries where ConstantTime.equal(entry.digest, digest) {
            found = entry.tenant
        }
        return found
    }

    /// A short, stable name of a key for logs and rate-limit counters, from which the key cannot
    /// be recovered.
    static func fingerprint(of key: String) -> String {
        SHA256.hash(data: Data("recall-api-key:\(key)".utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// The credential a request presents: `Authorization: Bearer <key>` or `X-API-Key: <key>`.
    static func presentedKey(in request: Request) -> String? {
        if let value = request.headers[.authorization], let token = bearerToken(value) { return token }
        if let value = request.headers[apiKeyHeader], !value.isEmpty { return value }
        return nil
    }

    static let apiKeyHeader = HTTPField.Name("X-API-Key")!

    /// The token of an `Authorization: Bearer <token>` value.
    static func bearerToken(_ value: String) -> String? {
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}

/// Comparison whose running time does not depend on where two byte strings differ.
enum ConstantTime {
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// Compares two secrets of any length through their digests, so the length is not revealed.
    static func equalSecrets(_ a: String, _ b: String) -> Bool {
        equal(Array(SHA256.hash(data: Data(a.utf8))), Array(SHA256.hash(data: Data(b.utf8))))
    }
}
