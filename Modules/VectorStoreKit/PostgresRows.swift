/// The outcome of one statement: its rows as text, copied out of libpq's result.
///
/// Values are in PostgreSQL's text format (`t`/`f` for booleans, `[1,2]` for vectors); `nil` is
/// SQL NULL. Copying everything out keeps the type `Sendable`, so rows can leave the connection's
/// thread after the libpq result has been freed.
public struct PostgresRows: Sendable, Equatable {
    /// The column names, in order.
    public let columns: [String]
    /// One array per row, one value per column.
    public let rows: [[String?]]
    /// Rows inserted, updated or deleted by the statement (`PQcmdTuples`); 0 for other commands.
    public let affectedRows: Int
    /// The command tag, such as `INSERT 0 1` or `COMMIT`.
    public let commandTag: String

    /// The first column of the first row, for single-value queries such as `SELECT count(*)`.
    public var scalar: String? {
        rows.first?.first ?? nil
    }
}
