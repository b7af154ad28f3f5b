/// What one process tells the others over Redis pub/sub when it changes the shared cache, so
/// that their near caches drop copies that are no longer true.
///
/// On the wire it is one line of text, `<origin> key <key>`, `<origin> pattern <glob>`,
/// `<origin> clear` or `<origin> generation`, or for a batch `<origin> keys <key>\n<key>…` (one message for a whole
/// ``RedisCache/setMany(_:ttl:)``; keys holding a newline are sent one by one instead). The
/// origin (a random id per ``RedisCache`` instance) lets a process skip
/// its own messages, having already updated its own near cache. Keys may contain spaces; they
/// are the rest of the line.
enum InvalidationMessage: Sendable, Equatable {
    /// One key was set or deleted.
    case key(String)
    /// Several keys were set at once.
    case keys([String])
    /// Every key matching a ``GlobPattern`` was removed.
    case pattern(String)
    /// Every key under the prefix was removed.
    case clear
    /// The corpus generation advanced: near caches read it from Redis again.
    case generation

    /// The channel a cache under `prefix` publishes on.
    static func channel(prefix: String) -> String {
        "\(prefix):invalidations"
    }

    func encoded(origin: String) -> String {
        switch self {
        case .key(let key): "\(origin) key \(key)"
        case .keys(let keys): "\(origin) keys \(keys.joined(separator: "\n"))"
        case .pattern(let pattern): "\(origin) pattern \(pattern)"
        case .clear: "\(origin) clear"
        case .generation: "\(origin) generation"
        }
    }

    /// The origin and message of a payload; `nil` for anything this version does not know,
    /// which the receiver treats as "drop everything" rather than ignoring it.
    static func decode(_ payload: [UInt8]) -> (origin: String, message: InvalidationMessage)? {
        let text = String(decoding: payload, as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return nil }
        let origin = String(parts[0])
        switch (parts[1], parts.count) {
        case ("key", 3): return (origin, .key(String(parts[2])))
        case ("keys", 3): return (origin, .keys(parts[2].split(separator: "\n").map(String.init)))
        case ("pattern", 3): return (origin, .pattern(String(parts[2])))
        case ("clear", 2): return (origin, .clear)
        case ("generation", 2): return (origin, .generation)
        default: return nil
        }
    }
}
