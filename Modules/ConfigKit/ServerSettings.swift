import Foundation

/// The HTTP API's limits and access rules (`MAX_BODY_BYTES`, `INGEST_MAX_BYTES`, `API_KEYS`,
/// `RATE_LIMIT_PER_MINUTE`).
///
/// Kept apart from the rest of ``Settings`` because only `recall-server` reads them.
public struct ServerSettings: Sendable, Equatable {
    /// One client credential of `API_KEYS` and the tenant whose documents and answers it sees.
    public struct APIKey: Sendable, Equatable {
        /// The key itself: a secret, never printed.
        public var key: String
        /// The tenant, used in cache keys, search filters and ingested documents.
        public var tenant: String

        public init(key: String, tenant: String) {
            self.key = key
            self.tenant = tenant
        }
    }

    /// Largest request body on every route but ingest, in bytes.
    public var maxBodyBytes: Int
    /// Largest request body (and document) on the ingest routes, in bytes.
    public var ingestMaxBytes: Int
    /// The accepted API keys; empty means the API is open (single tenant).
    public var apiKeys: [APIKey]
    /// Requests one client may make per minute; 0 turns rate limiting off.
    public var rateLimitPerMinute: Int
}

extension Validation {
    mutating func serverSettings() -> ServerSettings {
        ServerSettings(
            maxBodyBytes: integer("MAX_BODY_BYTES", in: 1024...1_073_741_824),
            ingestMaxBytes: integer("INGEST_MAX_BYTES", in: 1024...1_073_741_824),
            apiKeys: apiKeys(),
            rateLimitPerMinute: integer("RATE_LIMIT_PER_MINUTE", in: 0...10_000_000)
        )
    }

    /// `key1:tenantA,key2:tenantB`. Problems never quote a key, only its position.
    private mutating func apiKeys() -> [ServerSettings.APIKey] {
        guard let value = optional("API_KEYS") else { return [] }
        var keys: [ServerSettings.APIKey] = []
        for (index, entry) in value.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let parts = entry.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts.first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            let tenant = parts.count == 2 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
            if key.isEmpty || tenant.isEmpty {
                report("API_KEYS", value, "entry \(index + 1) is not written as key:tenant",
                       fix: "write API_KEYS as key1:tenantA,key2:tenantB (comma-separated key:tenant pairs)")
                continue
            }
            if keys.contains(where: { $0.key == key }) {
                report("API_KEYS", value, "entry \(index + 1) repeats an earlier key",
                       fix: "give every client its own key")
                continue
            }
            keys.append(ServerSettings.APIKey(key: key, tenant: tenant))
        }
        return keys
    }
}
