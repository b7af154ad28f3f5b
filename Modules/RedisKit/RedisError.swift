/// A failure talking to Redis.
///
/// ``kind`` tells what failed, ``message`` says it in words meant for a log line or an operator.
/// Messages name the server (`host:port`) but never contain the password.
///
/// ```swift
/// do { try await client.ping() }
/// catch let error as RedisError where error.kind == .connection { … }
/// ```
public struct RedisError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong.
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        /// No connection could be established (refused, unknown host, connect timeout, AUTH or
        /// SELECT refused), or the client is waiting out its reconnect backoff.
        case connection
        /// The connection broke while a command was in flight (reset, closed by the server).
        case io
        /// The server did not answer within ``RedisConfiguration/commandTimeout``.
        case timeout
        /// The server answered with an error reply (`-ERR …`, `-WRONGTYPE …`, `-NOSCRIPT …`);
        /// ``RedisError/message`` is the server's text.
        case server
        /// The reply was not what the command should return, or the command was malformed.
        case `protocol`
        /// The client or subscriber was shut down.
        case closed
        /// A ``RedisConfiguration`` could not be built (bad URL, `rediss://`).
        case configuration

        public var description: String {
            switch self {
            case .connection: "connection"
            case .io: "io"
            case .timeout: "timeout"
            case .server: "server"
            case .protocol: "protocol"
            case .closed: "closed"
            case .configuration: "configuration"
            }
        }
    }

    /// What went wrong.
    public let kind: Kind
    /// A human-readable explanation; for ``Kind/server`` the server's error text verbatim.
    public let message: String

    /// A new error; `message` should already be free of secrets.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The first word of a server error, such as `WRONGTYPE` or `NOSCRIPT`; `nil` for other kinds.
    public var serverErrorCode: String? {
        guard kind == .server else { return nil }
        return message.split(separator: " ", maxSplits: 1).first.map(String.init)
    }

    public var description: String {
        kind == .server ? "Redis replied with an error: \(message)" : message
    }

    /// This error with every occurrence of `secret` replaced, for texts that may echo a credential.
    func redacting(_ secret: String?) -> RedisError {
        guard let secret, !secret.isEmpty, message.contains(secret) else { return self }
        return RedisError(kind, message.replacing(secret, with: "***"))
    }
}
