extension RedisClient {
    /// `GET key`: the value's bytes, or `nil` when the key does not exist.
    public func get(_ key: String) async throws -> [UInt8]? {
        switch try await send(["GET", key]) {
        case .null: return nil
        case .bulk(let bytes): return bytes
        case let other: throw unexpected(other, from: "GET")
        }
    }

    /// `SET key value [PX ttl]`: stores the value, replacing any previous one.
    ///
    /// - Parameter ttl: Expiry, rounded up to whole milliseconds; `nil` keeps the key forever.
    public func set(_ key: String, value: [UInt8], ttl: Duration? = nil) async throws {
        _ = try await send(bytes: setCommand(key, value, ttl: ttl, onlyIfAbsent: false))
    }

    /// `SET key value [PX ttl]` with a UTF-8 string value.
    public func set(_ key: String, value: String, ttl: Duration? = nil) async throws {
        try await set(key, value: Array(value.utf8), ttl: ttl)
    }

    /// `SET key value NX [PX ttl]`: stores the value only if the key does not exist yet.
    ///
    /// - Returns: `true` when this call stored the value.
    public func setIfAbsent(_ key: String, value: [UInt8], ttl: Duration? = nil) async throws -> Bool {
        switch try await send(bytes: setCommand(key, value, ttl: ttl, onlyIfAbsent: true)) {
        case .null: return false
        case .status: return true
        case let other: throw unexpected(other, from: "SET NX")
        }
    }

    /// `MGET key…`: the values in the keys' order, `nil` where a key does not exist (or holds
    /// something other than a string). An empty list sends nothing.
    public func mget(_ keys: [String]) async throws -> [[UInt8]?] {
        guard !keys.isEmpty else { return [] }
        let reply = try await send(["MGET"] + keys)
        guard case .array(let values) = reply, values.count == keys.count else { throw unexpected(reply, from: "MGET") }
        return values.map(\.bytes)
    }

    /// The arguments of `SET key value [PX ttl]`, to send in a ``pipeline(bytes:)`` batch.
    public static func setArguments(_ key: String, value: [UInt8], ttl: Duration?) -> [[UInt8]] {
        var command: [[UInt8]] = [Array("SET".utf8), Array(key.utf8), value]
        if let ttl {
            command.append(Array("PX".utf8))
            command.append(Array(String(ttl.wholeMillisecondsRoundedUp).utf8))
        }
        return command
    }

    /// `DEL key…`: removes keys; returns how many existed. An empty list sends nothing.
    public func delete(_ keys: [String]) async throws -> Int {
        guard !keys.isEmpty else { return 0 }
        return try await integer(["DEL"] + keys)
    }

    /// `UNLINK key…`: like ``delete(_:)`` but frees memory in the background on the server.
    public func unlink(_ keys: [String]) async throws -> Int {
        guard !keys.isEmpty else { return 0 }
        return try await integer(["UNLINK"] + keys)
    }

    /// `EXISTS key`.
    public func exists(_ key: String) async throws -> Bool {
        try await integer(["EXISTS", key]) > 0
    }

    /// `PEXPIRE key ttl`: sets an expiry, rounded up to whole milliseconds.
    ///
    /// - Returns: `false` when the key does not exist.
    @discardableResult
    public func pexpire(_ key: String, ttl: Duration) async throws -> Bool {
        try await integer(["PEXPIRE", key, String(ttl.wholeMillisecondsRoundedUp)]) == 1
    }

    /// `PTTL key`: remaining time to live in milliseconds, `-1` when the key has no expiry and
    /// `-2` when it does not exist (Redis's own convention).
    public func pttl(_ key: String) async throws -> Int {
        try await integer(["PTTL", key])
    }

    /// `INCR key`: the value after incrementing.
    @discardableResult
    public func incr(_ key: String) async throws -> Int {
        try await integer(["INCR", key])
    }

    /// `PING`: throws unless the server answers.
    public func ping() async throws {
        _ = try await send(["PING"])
    }

    /// `PUBLISH channel message`: the number of subscribers that received it.
    @discardableResult
    public func publish(channel: String, message: [UInt8]) async throws -> Int {
        let reply = try await send(bytes: [Array("PUBLISH".utf8), Array(channel.utf8), message])
        guard case .integer(let receivers) = reply else { throw unexpected(reply, from: "PUBLISH") }
        return receivers
    }

    /// `PUBLISH channel message` with a UTF-8 string message.
    @discardableResult
    public func publish(channel: String, message: String) async throws -> Int {
        try await publish(channel: channel, message: Array(message.utf8))
    }

    /// `INFO [section]` parsed into its `key:value` lines; `# Section` headers are skipped.
    public func info(_ section: String? = nil) async throws -> [String: String] {
        let reply = try await send(section.map { ["INFO", $0] } ?? ["INFO"])
        guard let text = reply.string else { throw unexpected(reply, from: "INFO") }
        return Self.parseInfo(text)
    }

    /// `CONFIG GET parameter` (globs allowed) as a dictionary of parameter to value.
    public func configGet(_ parameter: String) async throws -> [String: String] {
        let reply = try await send(["CONFIG", "GET", parameter])
        guard let elements = reply.array, elements.count % 2 == 0 else {
            throw unexpected(reply, from: "CONFIG GET")
        }
        var result: [String: String] = [:]
        for pair in stride(from: 0, to: elements.count, by: 2) {
            result[elements[pair].string ?? ""] = elements[pair + 1].string ?? ""
        }
        return result
    }

    static func parseInfo(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard !line.hasPrefix("#"), let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return fields
    }

    private func integer(_ command: [String]) async throws -> Int {
        let reply = try await send(command)
        guard case .integer(let value) = reply else { throw unexpected(reply, from: command[0]) }
        return value
    }

    private func setCommand(_ key: String, _ value: [UInt8], ttl: Duration?, onlyIfAbsent: Bool) -> [[UInt8]] {
        var command = Self.setArguments(key, value: value, ttl: ttl)
        // NX goes before PX; Redis accepts the options in any order, but keep the documented one.
        if onlyIfAbsent { command.insert(Array("NX".utf8), at: 3) }
        return command
    }

    func unexpected(_ reply: RESPValue, from command: String) -> RedisError {
        RedisError(.protocol, "unexpected reply to \(command) from Redis at \(configuration.endpoint): \(reply)")
    }
}

extension Duration {
    /// Redis rejects `PX 0`, and rounding down would let a 0.5 ms TTL become "no wait at all".
    var wholeMillisecondsRoundedUp: Int64 {
        let (seconds, attoseconds) = components
        let perMillisecond: Int64 = 1_000_000_000_000_000
        var milliseconds = seconds * 1000 + attoseconds / perMillisecond
        if attoseconds % perMillisecond > 0 { milliseconds += 1 }
        return milliseconds
    }
}
