import Foundation

/// A PostgreSQL database of its own on the shared test server, for tests that run programs or
/// modules against a fresh schema without seeing each other's tables.
///
/// Created and dropped with the server's own `psql` (RECALL_TEST_PG_BIN), so test targets that
/// do not link a PostgreSQL client can use it too.
public struct ScratchDatabase: Sendable {
    /// The database's URL, to hand to a pool or as DATABASE_URL.
    public let url: String
    let name: String
    let adminURL: String

    /// Creates an empty database.
    public static func create() throws -> ScratchDatabase {
        let base = try TestServices.url(.postgres)
        // Built from a UUID here, so splicing it into DDL is safe.
        let name = "recall_t_" + UUID().uuidString.lowercased().filter { $0 != "-" }
        try psql(base, "CREATE DATABASE \(name)")
        return ScratchDatabase(url: replacingDatabase(in: base, with: name), name: name, adminURL: base)
    }

    /// Drops the database, ending any connection still open to it.
    public func drop() {
        _ = try? Self.psql(adminURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs one SQL statement and returns its unaligned, tuples-only output.
    @discardableResult
    public func query(_ sql: String) throws -> String {
        try Self.psql(url, sql)
    }

    @discardableResult
    static func psql(_ url: String, _ sql: String) throws -> String {
        let bin = ProcessInfo.processInfo.environment["RECALL_TEST_PG_BIN"].map { $0 + "/psql" } ?? "/usr/bin/psql"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bin)
        process.arguments = [url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PSQLFailure(message: String(decoding: errors, as: UTF8.self))
        }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct PSQLFailure: Error, CustomStringConvertible {
        let message: String
        var description: String { "psql failed: \(message)" }
    }

    static func replacingDatabase(in base: String, with database: String) -> String {
        let query = base.firstIndex(of: "?") ?? base.endIndex
        let path = base[..<query].lastIndex(of: "/")!
        return String(base[...path]) + database + String(base[query...])
    }
}
