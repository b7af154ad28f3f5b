import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One libpq connection.
///
/// libpq connections must not be used by two threads at once, and every call on them blocks, so a
/// connection lives on one of ``PostgresPool``'s dedicated threads for its whole life and is lent
/// only to closures running there. It is deliberately not `Sendable`: the compiler stops it from
/// escaping that thread.
///
/// Every statement takes its values as parameters (`$1`, `$2`, … sent separately from the SQL
/// text), so text from users never becomes SQL.
public final class PostgresConnection {
    private let handle: OpaquePointer
    private let info: ConnectionInfo
    /// Session settings already applied, so each costs one round trip per physical connection.
    private var sessionSettings: [String: String] = [:]
    /// Statements prepared on this physical connection: SQL text → server-side name.
    private var preparedStatements: [String: String] = [:]

    private init(handle: OpaquePointer, info: ConnectionInfo) {
        self.handle = handle
        self.info = info
    }

    deinit {
        PQfinish(handle)
    }

    /// Opens a connection; blocks, so call it on a thread of your own.
    static func connect(_ info: ConnectionInfo) throws(PostgresError) -> PostgresConnection {
        // `connect_timeout` comes before `dbname` so that a value in the URL overrides it: with
        // `expand_dbname` libpq lets later entries win.
        let keywords = ["connect_timeout", "fallback_application_name", "dbname"]
        let values = ["10", "recall", info.conninfo]
        let handle = withCStringArray(keywords) { keywords in
            withCStringArray(values) { values in PQconnectdbParams(keywords, values, 1) }
        }
        guard let handle else {
            throw PostgresError(.connection, context: "connecting to \(info)", message: "out of memory")
        }
        let connection = PostgresConnection(handle: handle, info: info)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw connection.connectionError("connecting to \(info)", sqlState: "08001")
        }
        return connection
    }

    /// True when libpq has noticed the connection is gone (after a failed call).
    var isBroken: Bool {
        PQstatus(handle) != CONNECTION_OK
    }

    /// True inside a transaction block, including a failed one.
    var isInTransaction: Bool {
        PQtransactionStatus(handle) != PQTRANS_IDLE
    }

    /// The server process serving this connection (what `pg_backend_pid()` returns).
    var backendPID: Int32 {
        PQbackendPID(handle)
    }

    /// Re-establishes a broken connection with the same parameters.
    func reset() throws(PostgresError) {
        sessionSettings.removeAll()
        preparedStatements.removeAll()
        PQreset(handle)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw connectionError("reconnecting to \(info)", sqlState: "08001")
        }
    }

    /// Runs one statement with text parameters and returns its rows.
    ///
    /// - Parameters:
    ///   - sql: a single statement with `$1`, `$2`, … placeholders. Cast each placeholder in the
    ///     SQL (`$1::bigint`) where the type is not obvious: parameters are sent untyped.
    ///   - parameters: one value per placeholder in PostgreSQL's text format; `nil` is NULL.
    /// - Throws: ``PostgresError`` with the SQLSTATE and the server's message.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> PostgresRows {
        let context = Self.summary(of: sql)
        try Self.checkParameters(parameters, context: context)
        let result = withOptionalCStringArray(parameters) { values in
            PQexecParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        return try rows(of: result, context: context)
    }

    /// Like ``execute(_:_:)``, but the statement is parsed once per physical connection
    /// (`PQprepare`) and only executed after that: for statements run very often, such as
    /// similarity search, where parsing and analysing the SQL each time is a measurable share.
    ///
    /// Run it with `plan_cache_mode = force_custom_plan` (``ensureSessionSetting(_:_:)``) when the
    /// plan depends on the values, as PostgreSQL may otherwise switch to one generic plan after
    /// five executions.
    @discardableResult
    public func executePrepared(_ sql: String, _ parameters: [PostgresParameter]) throws(PostgresError) -> PostgresRows {
        let context = Self.summary(of: sql)
        try Self.checkParameters(parameters.map(\.text), context: context)
        let name: String
        if let known = preparedStatements[sql] {
            name = known
        } else {
            name = "recall_\(preparedStatements.count + 1)"
            let prepared = PQprepare(handle, name, sql, Int32(parameters.count), nil)
            _ = try rows(of: prepared, context: context)
            preparedStatements[sql] = name
        }
        let result = PostgresParameter.withWireValues(parameters) { values, lengths, formats in
            PQexecPrepared(handle, name, Int32(parameters.count), values, lengths, formats, 0)
        }
        return try rows(of: result, context: context)
    }

    private static func checkParameters(_ parameters: [String?], context: String) throws(PostgresError) {
        for value in parameters where value?.utf8.contains(0) == true {
            throw PostgresError(.invalidParameter, context: context,
                                message: "a parameter contains a NUL character, which PostgreSQL text cannot store")
        }
    }

    /// The rows of a finished statement (and frees `result`), or its error.
    private func rows(of result: OpaquePointer?, context: String) throws(PostgresError) -> PostgresRows {
        guard let result else {
            throw connectionError(context, sqlState: "08006")
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return Self.rows(of: result)
        default:
            throw queryError(result, context: context)
        }
    }

    /// Runs `body` inside `BEGIN` … `COMMIT`, or rolls back when it throws.
    ///
    /// A failed statement poisons a PostgreSQL transaction, so if `body` catches such an error and
    /// carries on, `COMMIT` turns into a rollback; that is reported as an error rather than as
    /// success.
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try execute("BEGIN")
        let value: T
        do {
            value = try body(self)
        } catch {
            if !isBroken { _ = try? execute("ROLLBACK") }
            throw error
        }
        let commit = try execute("COMMIT")
        guard commit.commandTag == "COMMIT" else {
            throw PostgresError(.query, context: "COMMIT",
                                message: "the transaction had failed and was rolled back", sqlState: "25P02")
        }
        return value
    }

    /// Sets a session setting once per physical connection (outside transactions only, since a
    /// rollback would undo it while the cache still claimed it).
    func ensureSessionSetting(_ name: String, _ value: String) throws(PostgresError) {
        guard sessionSettings[name] != value else { return }
        try execute("SELECT set_config($1, $2, false)", [name, value])
        if !isInTransaction { sessionSettings[name] = value }
    }

    // MARK: - Errors

    /// libpq gives no SQLSTATE for failures on its side of the wire, so the caller picks the
    /// standard one: 08001 "could not connect" or 08006 "connection lost".
    private func connectionError(_ context: String, sqlState: String) -> PostgresError {
        let message = String(cString: PQerrorMessage(handle)).trimmingTrailingWhitespace
        return PostgresError(.connection, context: context, message: message.isEmpty ? "connection failed" : message,
                             sqlState: sqlState).redacting(info.secrets)
    }

    private func queryError(_ result: OpaquePointer, context: String) -> PostgresError {
        func field(_ code: Character) -> String? {
            PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
        }
        let message = field("M") ?? String(cString: PQresultErrorMessage(result)).trimmingTrailingWhitespace
        var state = field("C")
        if state == nil, isBroken { state = "08006" }
        return PostgresError(.query, context: context, message: message.isEmpty ? "unknown error" : message,
                             sqlState: state, detail: field("D")).redacting(info.secrets)
    }

    private static func rows(of result: OpaquePointer) -> PostgresRows {
        let rowCount = PQntuples(result), columnCount = PQnfields(result)
        var columns: [String] = []
        columns.reserveCapacity(Int(columnCount))
        for column in 0..<columnCount {
            columns.append(String(cString: PQfname(result, column)))
        }
        var rows: [[String?]] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(Int(columnCount))
            for column in 0..<columnCount {
                values.append(PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column)))
            }
            rows.append(values)
        }
        return PostgresRows(columns: columns, rows: rows,
                            affectedRows: Int(String(cString: PQcmdTuples(result))) ?? 0,
                            commandTag: String(cString: PQcmdStatus(result)))
    }

    /// The statement's first line, shortened, to say in errors what failed. The SQL is the
    /// package's own constant text, so it holds no user data.
    static func summary(of sql: String) -> String {
        let line = sql.split(whereSeparator: \.isNewline).lazy
            .map { $0.drop(while: \.isWhitespace) }.first { !$0.isEmpty } ?? ""
        return line.count > 80 ? String(line.prefix(77)) + "…" : String(line)
    }
}

@available(*, unavailable, message: "a PostgresConnection belongs to one pool thread")
extension PostgresConnection: Sendable {}

/// Calls `body` with a NULL-free C array of C strings that live for the duration of the call.
private func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    withOptionalCStringArray(strings) { body($0!) }
}

/// Like `withCStringArray`, with `nil` entries passed as NULL pointers (SQL NULL for libpq).
private func withOptionalCStringArray<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    // strdup keeps one allocation per value alive without nesting `withCString` closures.
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
    defer { copies.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
    // Terminated with NULL so the same array also serves PQconnectdbParams' keyword lists.
    return (pointers + [nil]).withUnsafeBufferPointer { body($0.baseAddress) }
}
