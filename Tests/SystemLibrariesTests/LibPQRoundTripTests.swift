import CLibPQ
import Foundation
import TestSupport
import Testing

/// libpq against the real PostgreSQL 18 + pgvector 0.8 that `make test` starts.
@Suite("libpq and pgvector round trip", .enabled(if: TestServices.isAvailable(.postgres)))
struct LibPQRoundTripTests {
    struct PostgresError: Error, CustomStringConvertible { let description: String }

    private func execute(_ connection: OpaquePointer, _ sql: String, _ parameters: [String] = []) throws -> OpaquePointer {
        let copies = parameters.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let values = copies.map { UnsafePointer<CChar>($0) }
        let result = values.withUnsafeBufferPointer {
            PQexecParams(connection, sql, Int32(parameters.count), nil, $0.baseAddress, nil, nil, 0)
        }
        guard let result else { throw PostgresError(description: String(cString: PQerrorMessage(connection))) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let message = String(cString: PQresultErrorMessage(result))
            PQclear(result)
            throw PostgresError(description: message)
        }
        return result
    }

    @Test("CREATE EXTENSION vector, insert, nearest neighbour on vector(3)")
    func nearestNeighbour() throws {
        let connection = try #require(PQconnectdb(try TestServices.url(.postgres)))
        defer { PQfinish(connection) }
        try #require(PQstatus(connection) == CONNECTION_OK, "\(String(cString: PQerrorMessage(connection)))")
        PQclear(try execute(connection, "CREATE EXTENSION IF NOT EXISTS vector"))
        let table = "syslib_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased())"
        PQclear(try execute(connection, "CREATE TABLE \(table) (id int primary key, name text, embedding vector(3))"))
        defer { _ = try? execute(connection, "DROP TABLE \(table)") }
        let rows = [(1, "north", "[0,1,0]"), (2, "east", "[1,0,0]"), (3, "up", "[0,0,1]")]
        for (id, name, vector) in rows {
            PQclear(try execute(connection, "INSERT INTO \(table) VALUES ($1, $2, $3::vector)", [String(id), name, vector]))
        }
        let result = try execute(connection, "SELECT name, embedding <=> $1::vector FROM \(table) ORDER BY embedding <=> $1::vector LIMIT 1", ["[0.9,0.1,0]"])
        defer { PQclear(result) }
        #expect(PQntuples(result) == 1)
        #expect(String(cString: PQgetvalue(result, 0, 0)) == "east")
        let distance = try #require(Double(String(cString: PQgetvalue(result, 0, 1))))
        #expect(distance < 0.01)
    }
}
