import Foundation
import Synchronization
import Testing
import TestSupport
@testable import VectorStoreKit

@Suite("PostgresPool", .enabled(if: TestServices.isAvailable(.postgres)))
struct PostgresPoolTests {
    /// The shared server's URL with `password` put into it and, optionally, another port or
    /// database. The server trusts local connections, so the password itself is never checked.
    static func url(password: String, port: Int? = nil, database: String? = nil) throws -> String {
        var components = try #require(URLComponents(string: TestServices.url(.postgres)))
        components.percentEncodedPassword = password
        if let port { components.port = port }
        if let database { components.path = "/" + database }
        return try #require(components.string)
    }

    static let canary = "Canary7Secret"

    enum BadTarget: String, CaseIterable, Sendable {
        case wrongPort, wrongDatabase, percentEncodedPassword
    }

    @Test("connection errors name the server and SQLSTATE but never the password", arguments: BadTarget.allCases)
    func errorsHidePassword(target: BadTarget) async throws {
        let url = switch target {
        case .wrongPort: try Self.url(password: Self.canary, port: FreePort.loopback())
        case .wrongDatabase: try Self.url(password: Self.canary, database: "no_such_database")
        case .percentEncodedPassword: try Self.url(password: "Canary%40Encoded%2F", database: "no_such_database")
        }
        let pool = try PostgresPool(url: url, size: 1)
        let error = await #expect(throws: PostgresError.self) {
            try await pool.execute("SELECT 1")
        }
        await pool.close()
        let texts = [String(describing: error), String(reflecting: error), String(describing: pool)]
        for text in texts {
            #expect(!text.contains("Canary"), "\(text)")
        }
        #expect(error?.kind == .connection)
        #expect(error?.sqlState == "08001")
        #expect(error?.description.contains("127.0.0.1") == true)
        if target != .wrongPort {
            #expect(error?.message.contains("no_such_database") == true)
        }
    }

    @Test("an unreadable URL is reported without its password, even where libpq quotes it")
    func badURL() throws {
        // libpq's message for a bad percent-escape quotes the token, here the password itself.
        let error = #expect(throws: PostgresError.self) {
            try PostgresPool(url: "postgresql://recall:\(Self.canary)%zz@127.0.0.1/db")
        }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("percent") == true, "\(String(describing: error))")
        #expect(error.map { !String(describing: $0).contains(Self.canary) } == true, "\(String(describing: error))")
    }

    @Test("server errors carry the SQLSTATE, message and the statement that failed")
    func queryErrors() async throws {
        try await withPool(url: TestServices.url(.postgres)) { pool in
            let error = await #expect(throws: PostgresError.self) {
                try await pool.execute("SELECT * FROM no_such_table_here WHERE id = $1::bigint", ["1"])
            }
            #expect(error?.kind == .query)
            #expect(error?.sqlState == "42P01")
            #expect(error?.message.contains("no_such_table_here") == true)
            #expect(error?.description.contains("SELECT * FROM no_such_table_here") == true)
            // The pool carries on after a failed statement.
            let answer = try await pool.execute("SELECT $1::integer + 1", ["41"]).scalar
            #expect(answer == "42")
        }
    }

    @Test("parameters are data: quotes and SQL in them are stored verbatim, NUL is refused")
    func parametersAreData() async throws {
        try await ScratchDatabase.with { url in
            try await withPool(url: url) { pool in
                try await pool.execute("CREATE TABLE notes (body text)")
                let evil = "x'); DROP TABLE notes; --"
                try await pool.execute("INSERT INTO notes VALUES ($1::text)", [evil])
                #expect(try await pool.execute("SELECT body FROM notes").scalar == evil)
                #expect(try await pool.execute("SELECT $1::text IS NULL", [nil]).scalar == "t")
                let error = await #expect(throws: PostgresError.self) {
                    try await pool.execute("INSERT INTO notes VALUES ($1::text)", ["a\u{0}b"])
                }
                #expect(error?.kind == .invalidParameter)
                #expect(try await pool.execute("SELECT count(*) FROM notes").scalar == "1")
            }
        }
    }

    @Test("withTransaction commits on return and rolls back on throw")
    func transactions() async throws {
        struct Abort: Error {}
        try await ScratchDatabase.with { url in
            try await withPool(url: url) { pool in
                try await pool.execute("CREATE TABLE items (id integer PRIMARY KEY)")
                try await pool.withTransaction { connection in
                    try connection.execute("INSERT INTO items VALUES (1)")
                    try connection.execute("INSERT INTO items VALUES (2)")
                }
                await #expect(throws: Abort.self) {
                    try await pool.withTransaction { connection in
                        try connection.execute("INSERT INTO items VALUES (3)")
                        throw Abort()
                    }
                }
                // A failed statement whose error the body swallows still dooms the transaction,
                // and that is reported rather than passed off as a commit.
                let error = await #expect(throws: PostgresError.self) {
                    try await pool.withTransaction { connection in
                        try connection.execute("INSERT INTO items VALUES (4)")
                        _ = try? connection.execute("INSERT INTO items VALUES (1)")
                    }
                }
                #expect(error?.sqlState == "25P02")
                // A body that opens a transaction and leaves does not leak it to the next borrower.
                try await pool.withConnection { connection in
                    try connection.execute("BEGIN")
                    try connection.execute("INSERT INTO items VALUES (5)")
                }
                #expect(try await pool.execute("SELECT string_agg(id::text, ',' ORDER BY id) FROM items").scalar == "1,2")
            }
        }
    }

    @Test("a connection killed by the server is re-established on the next checkout")
    func reconnects() async throws {
        try await withPool(url: TestServices.url(.postgres), size: 1) { pool in
            let before = try #require(try await pool.execute("SELECT pg_backend_pid()").scalar)
            try await withPool(url: TestServices.url(.postgres), size: 1) { admin in
                try await admin.execute("SELECT pg_terminate_backend($1::integer)", [before])
            }
            // The statement that finds the connection dead fails (it is not retried: it might
            // have been a write that got through)…
            await #expect(throws: PostgresError.self) {
                try await pool.execute("SELECT pg_backend_pid()")
            }
            // …and the next one runs on a fresh connection.
            let after = try await pool.execute("SELECT pg_backend_pid()").scalar
            #expect(after != nil && after != before)
        }
    }

    @Test("at most `size` connections work at once, on the pool's own threads")
    func boundedOnDedicatedThreads() async throws {
        try await withPool(url: TestServices.url(.postgres), size: 2) { pool in
            let results = try await withThrowingTaskGroup(of: (String, Int?).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await pool.withConnection { connection in
                            let pid = try connection.execute("SELECT pg_backend_pid(), pg_sleep(0.05)").scalar ?? ""
                            return (pid, PostgresPool.currentThreadNumber)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 8)
            #expect(Set(results.map(\.0)).count <= 2)
            #expect(Set(results.map(\.1)).isSubset(of: [1, 2]), "threads: \(results.map(\.1))")
            #expect(PostgresPool.currentThreadNumber == nil)
        }
    }

    @Test("a closed pool refuses work")
    func closedPool() async throws {
        let pool = try PostgresPool(url: TestServices.url(.postgres), size: 1)
        #expect(try await pool.execute("SELECT 1").scalar == "1")
        await pool.close()
        let error = await #expect(throws: PostgresError.self) {
            try await pool.execute("SELECT 1")
        }
        #expect(error?.kind == .closed)
    }
}
