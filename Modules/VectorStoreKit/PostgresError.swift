/// A failure talking to PostgreSQL.
///
/// ``description`` says what was being done, the SQLSTATE when there is one, and the server's
/// message. It never contains the password of the connection URL: every text that comes back from
/// libpq is scrubbed of it before it lands here, because libpq echoes parts of the connection
/// string in some of its messages.
///
/// ```swift
/// do { try await store.upsertDocument(document, chunks: chunks) }
/// catch let error as PostgresError where error.sqlState == "23505" { … }
/// ```
public struct PostgresError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong.
    public enum Kind: String, Sendable, Hashable {
        /// The connection URL could not be parsed.
        case configuration
        /// No connection could be established, or a broken one could not be re-established.
        case connection
        /// The server rejected a statement (``PostgresError/sqlState`` says why), or the
        /// connection broke while it ran.
        case query
        /// A parameter cannot be sent: PostgreSQL text cannot hold a NUL character, and libpq would
        /// silently cut the value there.
        case invalidParameter
        /// The pool was closed.
        case closed
    }

    /// What went wrong.
    public let kind: Kind
    /// The five-character SQLSTATE (`23505`, `42P01`, …) when the server or libpq supplied one.
    public let sqlState: String?
    /// The server's primary message, or libpq's when the server never answered.
    public let message: String
    /// The server's DETAIL line, if any.
    public let detail: String?
    /// What was being attempted, such as `connecting to 127.0.0.1:5432/recall` or
    /// `INSERT INTO chunks …`. Statements are the package's own constants, never user text.
    public let context: String

    /// A new error; every text must already be free of secrets.
    public init(_ kind: Kind, context: String, message: String, sqlState: String? = nil, detail: String? = nil) {
        self.kind = kind
        self.context = context
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
    }

    public var description: String {
        var text = "PostgreSQL: \(context) failed"
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        text += ": \(message)"
        if let detail, !detail.isEmpty { text += " — \(detail)" }
        return text
    }

    /// This error with every occurrence of each secret replaced by `***`.
    func redacting(_ secrets: [String]) -> PostgresError {
        func scrub(_ text: String) -> String {
            secrets.reduce(text) { text, secret in
                secret.isEmpty ? text : text.replacing(secret, with: "***")
            }
        }
        return PostgresError(kind, context: scrub(context), message: scrub(message),
                             sqlState: sqlState, detail: detail.map(scrub))
    }
}
