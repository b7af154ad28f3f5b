import CLibPQ

/// What a connection string names, split into the parts that may be printed and the secrets
/// that must be scrubbed from every message.
///
/// libpq itself does the parsing (`PQconninfoParse`), so URLs and `key=value` strings are read
/// exactly as `PQconnectdbParams` will read them.
struct ConnectionInfo: Sendable, CustomStringConvertible {
    /// The string handed to libpq; it may contain the password, so it is never printed.
    let conninfo: String
    /// `host:port/dbname` for messages (user and password left out).
    let endpoint: String
    /// Texts to remove from any message: the decoded password and its spelling in the URL.
    let secrets: [String]

    var description: String { endpoint }

    init(_ conninfo: String) throws(PostgresError) {
        // The raw spelling goes first so a percent-encoded password is not left half-replaced.
        var secrets = Self.rawURLPassword(in: conninfo).map { [$0] } ?? []
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            let reason = errorMessage.map { String(cString: $0) } ?? "out of memory"
            if let errorMessage { PQfreemem(errorMessage) }
            throw PostgresError(.configuration, context: "reading the database URL",
                                message: reason.trimmingTrailingWhitespace)
                .redacting(secrets)
        }
        defer { PQconninfoFree(options) }

        var values: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                values[String(cString: keyword)] = String(cString: value)
            }
            option += 1
        }
        if let password = values["password"], !password.isEmpty, !secrets.contains(password) {
            secrets.append(password)
        }
        let host = values["host"] ?? values["hostaddr"] ?? "localhost"
        let port = values["port"] ?? "5432"
        let database = values["dbname"] ?? values["user"] ?? ""
        self.conninfo = conninfo
        self.endpoint = "\(host):\(port)/\(database)"
        self.secrets = secrets
    }

    /// The password as written in a `postgres[ql]://user:password@host/...` URL, still
    /// percent-encoded; nil for other forms.
    static func rawURLPassword(in url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return nil }
        let userInfo = authority[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return nil }
        let password = userInfo[userInfo.index(after: colon)...]
        return password.isEmpty ? nil : String(password)
    }
}

extension String {
    /// libpq ends its messages with a newline; error texts read better without it.
    var trimmingTrailingWhitespace: String {
        var text = self
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
