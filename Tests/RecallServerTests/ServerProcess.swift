import Foundation
import TestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A `recall-server` process on a free loopback port (TestSupport's ``RecallServerProcess``),
/// and a client for it.
final class ServerProcess: Sendable {
    let server: RecallServerProcess
    var port: Int { server.port }
    var process: Process { server.process }

    struct Reply: Sendable {
        let status: Int
        let headers: [String: String]
        let body: Data

        var object: [String: Any] {
            (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
        }

        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    struct NotStarted: Error, CustomStringConvertible {
        let description: String
    }

    /// Many connections per host, so concurrent requests really are concurrent.
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 256
        configuration.timeoutIntervalForRequest = 30
        return URLSession(configuration: configuration)
    }()

    init(environment: [String: String]) async throws {
        server = try await RecallServerProcess(environment: environment)
    }

    func request(_ method: String, _ path: String, json: Any? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await Self.session.data(for: request)
        let http = response as? HTTPURLResponse
        var fields: [String: String] = [:]
        for (key, value) in http?.allHeaderFields ?? [:] { fields["\(key)"] = "\(value)" }
        return Reply(status: http?.statusCode ?? 0, headers: fields, body: data)
    }

    func ask(_ question: String, key: String? = nil) async throws -> Reply {
        try await request("POST", "/api/v1/chat", json: ["question": question], headers: key.map { ["Authorization": "Bearer \($0)"] } ?? [:])
    }

    /// Ingests the test handbook through the API and waits until this process's worker stored it.
    func seed(key: String? = nil) async throws {
        let headers = key.map { ["Authorization": "Bearer \($0)"] } ?? [:]
        let accepted = try await request("POST", "/api/v1/ingest", json: [
            "filename": "handbook.md", "content_type": "text/markdown", "content": ServerHarness.handbook,
        ], headers: headers)
        guard let id = accepted.object["job_id"] as? String else { throw NotStarted(description: "ingest refused: \(accepted.status)") }
        for _ in 0..<300 {
            if try await request("GET", "/api/v1/jobs/\(id)", headers: headers).object["status"] as? String == "succeeded" { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw NotStarted(description: "the seed document was not ingested")
    }

    /// The value of an unlabelled counter in `/metrics`.
    func counter(_ name: String) async throws -> Double {
        let text = String(decoding: try await request("GET", "/metrics").body, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }

    /// SIGTERM and wait: the server drains and exits.
    func stop() {
        server.stop()
    }
}
