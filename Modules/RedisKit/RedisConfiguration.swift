import Foundation

/// Where a Redis server is and how to talk to it.
///
/// Build one from its parts or from a `redis://` URL. Its ``description`` is safe to log: it never
/// contains the password.
///
/// ```swift
/// let configuration = try RedisConfiguration(url: "redis://:secret@cache.internal:6379/2")
/// print(configuration)   // redis://:***@cache.internal:6379/2
/// ```
public struct RedisConfiguration: Sendable, CustomStringConvertible {
    /// Host name or IP address of the server.
    public var host: String
    /// TCP port of the server.
    public var port: Int
    /// Password sent with `AUTH` after every (re)connect; `nil` sends no `AUTH`.
    public var password: String?
    /// ACL user name (Redis 6+); used only together with ``password``.
    public var username: String?
    /// Logical database selected with `SELECT` after every (re)connect.
    public var database: Int
    /// How long establishing a TCP connection may take.
    public var connectTimeout: Duration
    /// How long the server may take to answer; a connection that exceeds it is dropped and
    /// reconnected, and its waiting requests fail with a timeout error.
    public var commandTimeout: Duration
    /// Number of connections (each with its own thread) a ``RedisClient`` opens at most.
    public var poolSize: Int

    /// A configuration from its parts; every value has the usual local default.
    public init(
        host: String = "127.0.0.1",
        port: Int = 6379,
        password: String? = nil,
        username: String? = nil,
        database: Int = 0,
        connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration = .seconds(2),
        poolSize: Int = 8
    ) {
        self.host = host
        self.port = port
        self.password = password
        self.username = username
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.poolSize = poolSize
    }

    /// A configuration from a URL of the form `redis://[[user]:password@]host[:port][/database]`.
    ///
    /// User and password may be percent-encoded. `rediss://` (TLS) is refused with an explanation,
    /// because the hiredis version this module is built on has no TLS support.
    ///
    /// - Throws: ``RedisError`` of kind ``RedisError/Kind/configuration`` when the URL cannot be
    ///   used. Its message never repeats the password.
    public init(
        url: String,
        poolSize: Int = 8,
        connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration = .seconds(2)
    ) throws {
        let parsed = try RedisURLParser.parse(url)
        self.init(
            host: parsed.host,
            port: parsed.port,
            password: parsed.password,
            username: parsed.username,
            database: parsed.database,
            connectTimeout: connectTimeout,
            commandTimeout: commandTimeout,
            poolSize: poolSize
        )
    }

    /// The server as a URL with the password replaced by `***`, e.g. `redis://:***@host:6379/0`.
    public var description: String {
        var credentials = ""
        if password != nil {
            credentials = "\(username ?? ""):***@"
        } else if let username, !username.isEmpty {
            credentials = "\(username)@"
        }
        return "redis://\(credentials)\(endpoint)/\(database)"
    }

    /// `host:port`, with IPv6 literals in brackets; used in every error message.
    var endpoint: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// Splits a `redis://` URL by hand: Foundation's URL parsing differs between platforms on edge
/// cases (empty user, bracketed IPv6), and its errors could echo the password.
enum RedisURLParser {
    struct Parsed {
        var host = "127.0.0.1"
        var port = 6379
        var username: String?
        var password: String?
        var database = 0
    }

    static func parse(_ url: String) throws -> Parsed {
        let trimmed = url.trimmingCharacters(in: .whitespaces)
        let lowered = trimmed.lowercased()
        if lowered.hasPrefix("rediss://") {
            throw RedisError(
                .configuration,
                "rediss:// (TLS) is not supported: hiredis 0.14 has no TLS; terminate TLS in front of Redis "
                    + "(stunnel/spiped) and point REDIS_URL at it with redis://"
            )
        }
        guard lowered.hasPrefix("redis://") else {
            throw RedisError(.configuration, "a Redis URL must start with redis:// (got \(redactedScheme(trimmed)))")
        }
        var rest = Substring(trimmed.dropFirst("redis://".count))
        // Query and fragment carry nothing this client understands; ignoring them beats failing.
        if let cut = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            rest = rest[..<cut]
        }

        var parsed = Parsed()
        var authority = rest
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            let path = rest[rest.index(after: slash)...]
            if !path.isEmpty {
                guard let database = Int(path), database >= 0 else {
                    throw RedisError(.configuration, "the database in a Redis URL must be a number, got '/\(path)'")
                }
                parsed.database = database
            }
        }

        var hostPort = authority
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                let user = try decode(userInfo[..<colon], what: "user name")
                let password = try decode(userInfo[userInfo.index(after: colon)...], what: "password")
                parsed.username = user.isEmpty ? nil : user
                parsed.password = password
            } else {
                // `redis://secret@host` is how many tools spell a password without a user.
                parsed.password = try decode(userInfo, what: "password")
            }
        }

        var portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else {
                throw RedisError(.configuration, "unclosed '[' in the host of a Redis URL: \(hostPort)")
            }
            parsed.host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() }
        } else if let colon = hostPort.lastIndex(of: ":") {
            parsed.host = String(hostPort[..<colon])
            portText = hostPort[hostPort.index(after: colon)...]
        } else {
            parsed.host = String(hostPort)
        }
        if parsed.host.isEmpty { parsed.host = "127.0.0.1" }
        if let portText {
            guard let port = Int(portText), (1...65535).contains(port) else {
                throw RedisError(.configuration, "the port in a Redis URL must be 1-65535, got '\(portText)'")
            }
            parsed.port = port
        }
        return parsed
    }

    private static func decode(_ part: Substring, what: String) throws -> String {
        guard let decoded = String(part).removingPercentEncoding else {
            throw RedisError(.configuration, "the \(what) in the Redis URL has invalid percent-encoding")
        }
        return decoded
    }

    /// The scheme only: whatever follows could hold a password.
    private static func redactedScheme(_ url: String) -> String {
        if let range = url.range(of: "://") { return String(url[..<range.lowerBound]) + "://…" }
        return "a string without a scheme"
    }
}
