import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("recall-server ingest and jobs")
struct IngestRouteTests {
    static func ingest(_ client: any TestClientProtocol, _ body: [String: Any], headers: HTTPFields = ServerHarness.jsonHeaders)
        async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/ingest", method: .post, headers: headers, body: ServerHarness.json(body))
    }

    @Test("a JSON document is accepted (202) as a queued process_document job whose record has the documented shape")
    func jsonDocument() async throws {
        try await ServerHarness.withServer { client, _ in
            let response = try await Self.ingest(client, ["filename": "handbook.md", "content_type": "text/markdown",
                                                          "content": "# Handbook\n\nTime off is requested in the portal."])
            #expect(response.status == .accepted)
            let object = try response.object
            #expect(object["status"] as? String == "queued")
            let id = try #require(object["job_id"] as? String)

            let job = try await client.execute(uri: "/api/v1/jobs/\(id)", method: .get)
            #expect(job.status == .ok)
            let record = try job.object
            let documented: Set<String> = ["id", "type", "status", "attempts", "deliveries", "progress", "progress_message",
                                           "result", "error", "created_at", "updated_at", "started_at", "finished_at"]
            #expect(documented.isSubset(of: Set(record.keys)), "missing: \(documented.subtracting(record.keys))")
            #expect(record["payload"] == nil, "the payload can hold a whole document and is never shown")
            #expect(record["id"] as? String == id)
            #expect(record["type"] as? String == "process_document")
            let created = try #require(record["created_at"] as? String)
            #expect(try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(created) <= Date())
        }
    }

    @Test("a multipart upload in the file field is accepted; base64 JSON content too")
    func multipartAndBase64() async throws {
        try await ServerHarness.withServer { client, _ in
            let boundary = "recall-boundary-42"
            let body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\nPlain notes about benefits.\r\n--\(boundary)--\r\n"
            let response = try await client.execute(
                uri: "/api/v1/ingest", method: .post,
                headers: [.contentType: "multipart/form-data; boundary=\(boundary)"], body: ByteBuffer(string: body))
            #expect(response.status == .accepted)

            let encoded = Data("<html><body><p>Hello</p></body></html>".utf8).base64EncodedString()
            let base64 = try await Self.ingest(client, ["filename": "page.html", "content": encoded, "content_encoding": "base64"])
            #expect(base64.status == .accepted, "the .html extension decides the type when none is given")

            let noFile = try await client.execute(
                uri: "/api/v1/ingest", method: .post, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"],
                body: ByteBuffer(string: "--\(boundary)\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--\(boundary)--\r\n"))
            #expect(noFile.status == .badRequest)
            #expect(try noFile.error.message.contains("`file`"))
        }
    }

    @Test("unsupported types are 415 and documents over INGEST_MAX_BYTES 413; nothing is queued and both are counted as rejected")
    func refusals() async throws {
        try await ServerHarness.withServer(["INGEST_MAX_BYTES": "2048"]) { client, components in
            let pdf = try await Self.ingest(client, ["filename": "a.pdf", "content_type": "application/pdf", "content": "JVBERi0x"])
            #expect(pdf.status == .unsupportedMediaType)
            #expect(try pdf.error.message.contains("text/plain"))

            let large = try await Self.ingest(client, ["filename": "a.txt", "content_type": "text/plain",
                                                       "content": String(repeating: "x", count: 4096)])
            #expect(large.status == .contentTooLarge)
            #expect(try large.error.message.contains("INGEST_MAX_BYTES"))

            let empty = try await Self.ingest(client, ["filename": "a.txt", "content_type": "text/plain", "content": ""])
            #expect(empty.status == .badRequest)

            let counts = try await components.queue.counts()
            #expect(counts.values.reduce(0, +) == 0)
            let ok = try await Self.ingest(client, ["filename": "a.txt", "content_type": "text/plain", "content": "fine"])
            #expect(ok.status == .accepted)

            let metrics = try await client.execute(uri: "/metrics", method: .get).text
            #expect(metrics.contains(#"ingest_requests_total{status="rejected"} 3"#))
            #expect(metrics.contains(#"ingest_requests_total{status="accepted"} 1"#))
            #expect(metrics.contains(#"ingest_latency_seconds_count{status="rejected"} 3"#))
        }
    }

    @Test("URLs: private addresses, other schemes and credentials are 400 saying why; a public address is queued as scrape_url")
    func urls() async throws {
        try await ServerHarness.withServer { client, _ in
            let refusals: [(String, String)] = [
                ("http://127.0.0.1:6379/", "127.0.0.1"), ("http://10.0.0.8/doc", "10.0.0.8"),
                ("ftp://example.com/file", "only http and https"), ("https://user:pw@example.com/", "credentials"),
                ("not a url", "http"),
            ]
            for (url, reason) in refusals {
                let response = try await client.execute(uri: "/api/v1/ingest/url", method: .post, headers: ServerHarness.jsonHeaders,
                                                        body: ServerHarness.json(["url": url]))
                #expect(response.status == .badRequest, "\(url)")
                let message = try response.error.message
                #expect(message.contains(reason), "\(url): \(message)")
            }
            let accepted = try await client.execute(uri: "/api/v1/ingest/url", method: .post, headers: ServerHarness.jsonHeaders,
                                                    body: ServerHarness.json(["url": "https://93.184.215.14/handbook", "options": ["max_bytes": 5000]]))
            #expect(accepted.status == .accepted)
            let id = try #require(try accepted.object["job_id"] as? String)
            let job = try await client.execute(uri: "/api/v1/jobs/\(id)", method: .get)
            #expect(try job.object["type"] as? String == "scrape_url")
        }
    }

    @Test("GET /api/v1/jobs lists jobs with counts by status; bad filters are 400, unknown ids 404")
    func jobList() async throws {
        try await ServerHarness.withServer { client, _ in
            for name in ["a.txt", "b.txt"] {
                _ = try await Self.ingest(client, ["filename": name, "content_type": "text/plain", "content": "text of \(name)"])
            }
            let list = try await client.execute(uri: "/api/v1/jobs?limit=10", method: .get)
            #expect(list.status == .ok)
            let object = try list.object
            let jobs = try #require(object["jobs"] as? [[String: Any]])
            #expect(jobs.count == 2)
            let counts = try #require(object["counts"] as? [String: Int])
            #expect(Set(counts.keys) == ["queued", "running", "retrying", "succeeded", "failed", "dead"])
            #expect(counts.values.reduce(0, +) == 2)

            let one = try await client.execute(uri: "/api/v1/jobs?limit=1", method: .get)
            #expect(try (one.object["jobs"] as? [Any])?.count == 1)

            for query in ["status=finished", "limit=0", "limit=abc"] {
                let refused = try await client.execute(uri: "/api/v1/jobs?\(query)", method: .get)
                #expect(refused.status == .badRequest, "\(query)")
            }
            let missing = try await client.execute(uri: "/api/v1/jobs/does-not-exist", method: .get)
            #expect(missing.status == .notFound)
        }
    }
}
