/// What one process tells the others over Redis pub/sub when it changes the shared cache, so
/// that their near caches drop copies that are no longer true.
///
/// On the wire it is one line of text, `<sender> key <key>`, `<sender> pattern <glob>`,
/// `<sender> clear` or `<sender> generation`, or for a batch `<sender> keys <key>\n<key>…` (one message for a whole
/// ``RedisCache/setMany(_:ttl:)``; keys holding a newline are sent one by one instead). Keys may
/// contain spaces; they are the rest of the line.
///
/// The sender is `<origin>/<sequence>`: the origin (a random id per ``RedisCache`` instance) lets
/// a process skip its own messages, having already updated its own near cache, and the whole
/// sender names the announcement, whose receivers confirm it (see ``Announcement``). A sender
/// without `/<sequence>` (an older version's) asks for no confirmation.
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

    func encoded(sender: Announcement) -> String {
        let sender = sender.token
        return switch self {
        case .key(let key): "\(sender) key \(key)"
        case .keys(let keys): "\(sender) keys \(keys.joined(separator: "\n"))"
        case .pattern(let pattern): "\(sender) pattern \(pattern)"
        case .clear: "\(sender) clear"
        case .generation: "\(sender) generation"
        }
    }

    /// The origin, the announcement to confirm (`nil` when the sender asks for none) and the
    /// message of a payload; `nil` for anything this version does not know, which the receiver
    /// treats as "drop everything" rather than ignoring it.
    static func decode(_ payload: [UInt8]) -> (origin: String, announcement: Announcement?, message: InvalidationMessage)? {
        let text = String(decoding: payload, as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return nil }
        let announcement = Announcement(token: parts[0])
        let origin = announcement?.origin ?? String(parts[0])
        let message: InvalidationMessage
        switch (parts[1], parts.count) {
        case ("key", 3): message = .key(String(parts[2]))
        case ("keys", 3): message = .keys(parts[2].split(separator: "\n").map(String.init))
        case ("pattern", 3): message = .pattern(String(parts[2]))
        case ("clear", 2): message = .clear
        case ("generation", 2): message = .generation
        default: return nil
        }
        return (origin, announcement, message)
    }
}
