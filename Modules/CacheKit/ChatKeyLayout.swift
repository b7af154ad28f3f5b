/// Where chat answers live in a shared store, and the patterns that select them for
/// invalidation.
///
/// A key is
/// ```
/// <prefix>:chat:t=<tenant>:g=<generation>:m=<model>:s=<session>:<hash32>
/// ```
/// so that the parts an operator invalidates by stay visible; the seed hashed everything into
/// one opaque key, and its pattern invalidation could therefore never select by user or model.
///
/// Tenant, model and session are percent-encoded in the key: every byte outside
/// `A–Z a–z 0–9 - . _ ~` becomes `%XX`. The key's structure then cannot be forged — a model named
/// `a:s=b` cannot pose as a session segment, and a value containing `*` or `?` is not a wildcard
/// when it appears in a pattern — and the encoding is one-to-one, so two different names never
/// share a segment. Readable names (`gpt-4`, `gemini-2.5-flash`, UUIDs) stay readable.
///
/// The tenant is part of every key: answers are computed from a tenant's own documents, and an
/// under-keyed cache would serve one tenant's answer to another. The corpus generation is too, so
/// that after new documents land (generation + 1) older answers are simply never read again and
/// age out through their TTL.
///
/// A backend that namespaces keys itself (``RedisCache`` stores `k` as `<prefix>:k`, and the
/// caches ``CacheFactory`` makes do the same) takes keys from a layout with an empty prefix,
/// ``relative``: the key `chat:t=…` then lands in Redis as `<CACHE_KEY_PREFIX>:chat:t=…`.
public struct ChatKeyLayout: Sendable, Hashable {
    /// The namespace in front of every key, e.g. `recall` or `recall:staging`; empty for keys
    /// relative to a backend's own namespace.
    public let prefix: String

    /// A layout under `prefix`.
    public init(prefix: String = "recall") {
        self.prefix = prefix
    }

    /// Keys that start at `chat:`, for backends that put their own prefix in front.
    public static let relative = ChatKeyLayout(prefix: "")

    /// The full key of a chat answer.
    public func key(for chatKey: ChatCacheKey, tenant: String, generation: Int) -> String {
        "\(lead)chat:t=\(Self.encode(tenant)):g=\(generation)"
            + ":m=\(Self.encode(chatKey.model)):s=\(Self.encode(chatKey.sessionID)):\(chatKey.hash)"
    }

    /// `prefix:`, or nothing for a ``relative`` layout.
    private var lead: String { prefix.isEmpty ? "" : "\(prefix):" }

    /// A `MATCH` pattern for the chat answers with the given parts; a `nil` part matches any
    /// value. With every part `nil` it selects all chat answers under this prefix.
    ///
    /// `""` is a value, not a wildcard: `session: ""` selects answers given outside any session.
    ///
    /// ```swift
    /// layout.pattern(model: "gpt-4*")   // recall:chat:t=*:g=*:m=gpt-4%2A:s=*:*
    /// layout.pattern(tenant: "acme")     // recall:chat:t=acme:g=*:m=*:s=*:*
    /// ```
    public func pattern(
        tenant: String? = nil,
        generation: Int? = nil,
        model: String? = nil,
        session: String? = nil
    ) -> String {
        func part(_ value: String?) -> String {
            // Encoded values hold no glob characters; escaping anyway keeps that guarantee local.
            value.map { GlobPattern.escape(Self.encode($0)) } ?? "*"
        }
        let lead = prefix.isEmpty ? "" : "\(GlobPattern.escape(prefix)):"
        return "\(lead)chat:t=\(part(tenant)):g=\(generation.map(String.init) ?? "*")"
            + ":m=\(part(model)):s=\(part(session)):*"
    }

    /// `value` with every byte outside the unreserved set `A–Z a–z 0–9 - . _ ~` written `%XX`.
    public static func encode(_ value: String) -> String {
        // Tenants, models and sessions are nearly always plain already.
        if value.utf8.allSatisfy(isUnreserved) { return value }
        var encoded = ""
        encoded.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            if isUnreserved(byte) {
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                encoded.unicodeScalars.append("%")
                encoded.unicodeScalars.append(hexDigits[Int(byte >> 4)])
                encoded.unicodeScalars.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return encoded
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    private static let hexDigits: [Unicode.Scalar] = Array("0123456789ABCDEF".unicodeScalars)
}
