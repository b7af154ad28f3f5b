import CurlKit
import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` with a fresh loopback server and client, and always cleans both up.
func withServer(
    _ configuration: HTTPClientConfiguration = HTTPClientConfiguration(),
    _ body: (TestHTTPServer, HTTPClient) async throws -> Void
) async throws {
    // The apps ignore SIGPIPE process-wide; libcurl runs with CURLOPT_NOSIGNAL and relies on it.
    signal(SIGPIPE, SIG_IGN)
    let server = try await TestHTTPServer.start()
    let client = HTTPClient(configuration: configuration)
    do {
        try await body(server, client)
    } catch {
        await client.shutdown()
        await server.stop()
        throw error
    }
    await client.shutdown()
    await server.stop()
}

@Suite("HTTPClient against a loopback server", .timeLimit(.minutes(1)))
struct HTTPClientTests {
    @Test("GET returns status, headers, body and the peer address")
    func get() async throws {
        try await withServer { server, client in
            let response = try await client.send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/hello"))
            #expect(response.status == 200)
            #expect(response.isSuccess)
            #expect(response.text == "hello from loopback")
            #expect(response.headers.value(for: "content-length") == "19")
            #expect(response.remoteAddress == "127.0.0.1")
            #expect(response.url == "http://127.0.0.1:\(server.port)/hello")
            let seen = try #require(server.requests.first)
            #expect(seen.method == "GET")
            #expect(seen.headers["user-agent"] == "Recall (libcurl)")
        }
    }

    @Test("POST and PUT send the body and headers as given, without Expect: 100-continue")
    func postAndPut() async throws {
        try await withServer { server, client in
            let json = Data(#"{"question":"what is recall?"}"#.utf8)
            let response = try await client.send(HTTPRequest(
                method: .post, url: "http://127.0.0.1:\(server.port)/echo",
                headers: [HTTPHeader("Content-Type", "application/json"), HTTPHeader("X-Trace", "abc")],
                body: json
            ))
            #expect(response.status == 200)
            #expect(response.body == json)
            #expect(response.headers.value(for: "X-ECHO-METHOD") == "POST")
            let seen = try #require(server.requests.first)
            #expect(seen.headers["content-type"] == "application/json")
            #expect(seen.headers["x-trace"] == "abc")
            #expect(seen.headers["expect"] == nil)
            #expect(seen.body == Array(json))

            let big = Data(repeating: 0x61, count: 2 << 20)
            let put = try await client.send(HTTPRequest(method: .put, url: "http://127.0.0.1:\(server.port)/echo", body: big))
            #expect(put.headers.value(for: "x-echo-method") == "PUT")
            #expect(put.body.count == big.count)
            #expect(put.headers.value(for: "content-type") == "application/octet-stream")
            #expect(server.requests.last?.headers["expect"] == nil, "a 2 MB body is sent without waiting for 100-continue")
        }
    }

    @Test("two requests on one client share one TCP connection")
    func connectionReuse() async throws {
        try await withServer(HTTPClientConfiguration(concurrency: 1)) { server, client in
            let url = "http://127.0.0.1:\(server.port)/hello"
            _ = try await client.send(HTTPRequest(url: url))
            _ = try await client.send(HTTPRequest(method: .post, url: "http://127.0.0.1:\(server.port)/echo", body: Data("x".utf8)))
            _ = try await client.send(HTTPRequest(url: url))
            let ports = server.requests.map(\.clientPort)
            #expect(ports.count == 3)
            #expect(ports[0] != nil)
            #expect(Set(ports).count == 1, "one connection, kept alive across requests: \(ports)")
        }
    }

    @Test("concurrent requests are spread over at most `concurrency` connections")
    func concurrency() async throws {
        try await withServer(HTTPClientConfiguration(concurrency: 2)) { server, client in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<12 {
                    group.addTask { try await client.send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/slow?ms=20")).status }
                }
                for try await status in group { #expect(status == 200) }
            }
            let connections = Set(server.requests.compactMap(\.clientPort))
            #expect((1...2).contains(connections.count), "\(connections)")
        }
    }

    @Test("a slow server hits the total timeout")
    func timeout() async throws {
        try await withServer(HTTPClientConfiguration(timeout: .seconds(30))) { server, client in
            let start = ContinuousClock.now
            let error = await #expect(throws: HTTPClientError.self) {
                try await client.send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/slow?ms=3000", timeout: .milliseconds(300)))
            }
            let elapsed = ContinuousClock.now - start
            #expect(error?.kind == .timeout)
            #expect(error?.isTransient == true)
            #expect(error?.message.hasPrefix("the request to http://127.0.0.1:\(server.port) did not finish within 300 ms") == true)
            // libcurl's clock and ours start a few microseconds apart: allow a millisecond-scale slack.
            #expect(elapsed >= .milliseconds(290))
            #expect(elapsed < .seconds(2))
        }
    }

    @Test("the response-size cap aborts known-length and chunked bodies alike")
    func sizeCap() async throws {
        try await withServer(HTTPClientConfiguration(maximumResponseBytes: 100_000)) { server, client in
            let exact = try await client.send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/bytes?count=100000"))
            #expect(exact.body.count == 100_000)

            for path in ["bytes?count=100001", "stream?count=300000"] {
                let error = await #expect(throws: HTTPClientError.self) {
                    try await client.send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/\(path)"))
                }
                #expect(error?.kind == .responseTooLarge, "\(path)")
                #expect(error?.message == "the response from http://127.0.0.1:\(server.port) is larger than the 100000-byte limit; the transfer was aborted")
            }
            // The handle is still good after an aborted transfer.
            #expect(try await client.send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/hello")).status == 200)
        }
    }

    @Test("redirects: returned as they are by default, followed when asked, limited")
    func redirects() async throws {
        try await withServer { server, client in
            let base = "http://127.0.0.1:\(server.port)"
            let unfollowed = try await client.send(HTTPRequest(url: "\(base)/redirect?n=2"))
            #expect(unfollowed.status == 302)
            #expect(unfollowed.headers.value(for: "location") == "/redirect?n=1")

            let followed = try await client.send(HTTPRequest(url: "\(base)/redirect?n=3", redirects: .follow(maximum: 3)))
            #expect(followed.status == 200)
            #expect(followed.text == "hello from loopback")
            #expect(followed.url == "\(base)/hello")

            let before = server.requests.count
            let error = await #expect(throws: HTTPClientError.self) {
                try await client.send(HTTPRequest(url: "\(base)/redirect?n=5", redirects: .follow(maximum: 2)))
            }
            #expect(error?.kind == .tooManyRedirects)
            #expect(error?.message == "\(base) redirected more than 2 times; giving up")
            #expect(server.requests.count - before == 3, "the first request and two followed hops")
        }
    }

    @Test("303 turns POST into GET; a cross-origin hop drops credential headers")
    func redirectSemantics() async throws {
        try await withServer { server, client in
            let base = "http://127.0.0.1:\(server.port)"
            let response = try await client.send(HTTPRequest(
                method: .post, url: "\(base)/see-other",
                headers: [HTTPHeader("Content-Type", "application/json"), HTTPHeader("x-goog-api-key", "KEEP-on-same-origin")],
                body: Data("{}".utf8), redirects: .follow(maximum: 1)
            ))
            #expect(response.headers.value(for: "x-echo-method") == "GET")
            #expect(server.requests.last?.headers["x-goog-api-key"] == "KEEP-on-same-origin")
            #expect(server.requests.last?.body.isEmpty == true)

            let elsewhere = "http://localhost:\(server.port)/echo"
            _ = try await client.send(HTTPRequest(
                url: "\(base)/redirect-to?url=\(elsewhere)",
                headers: [HTTPHeader("x-goog-api-key", "SECRET-never-forwarded"), HTTPHeader("Authorization", "Bearer t"), HTTPHeader("X-Plain", "1")],
                redirects: .follow(maximum: 1)
            ))
            let hop = try #require(server.requests.last)
            #expect(hop.path == "/echo")
            #expect(hop.headers["x-goog-api-key"] == nil)
            #expect(hop.headers["authorization"] == nil)
            #expect(hop.headers["x-plain"] == "1")
        }
    }

    @Test("only http and https; malformed requests are refused before anything is sent")
    func invalidRequests() async throws {
        try await withServer { server, client in
            for url in ["file:///etc/passwd", "ftp://127.0.0.1:\(server.port)/", "gopher://127.0.0.1:\(server.port)/", "dict://127.0.0.1:\(server.port)/", "not a url", "http://"] {
                let error = await #expect(throws: HTTPClientError.self) { try await client.send(HTTPRequest(url: url)) }
                #expect(error?.kind == .invalidURL, "\(url): \(String(describing: error))")
            }
            let injected = await #expect(throws: HTTPClientError.self) {
                try await client.send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/hello", headers: [HTTPHeader("X-A", "1\r\nX-Injected: 2")]))
            }
            #expect(injected?.kind == .invalidRequest)
            #expect(server.requests.isEmpty)
        }
    }

    @Test("error messages name the origin only: no path, query or header value")
    func errorsCarryNoSecrets() async throws {
        let secret = "AIzaSECRETkey123456"
        try await withServer { server, client in
            let timeout = await #expect(throws: HTTPClientError.self) {
                try await client.send(HTTPRequest(
                    url: "http://127.0.0.1:\(server.port)/slow?ms=2000&key=\(secret)",
                    headers: [HTTPHeader("x-goog-api-key", secret)], timeout: .milliseconds(200)
                ))
            }
            let closedPort = try FreePort.loopback()
            let refused = await #expect(throws: HTTPClientError.self) {
                try await client.send(HTTPRequest(
                    url: "http://127.0.0.1:\(closedPort)/v1beta/models?key=\(secret)", headers: [HTTPHeader("x-goog-api-key", secret)]
                ))
            }
            #expect(refused?.kind == .couldNotConnect)
            #expect(refused?.isTransient == true)
            for error in [timeout, refused] {
                let text = "\(error.map { "\($0)" } ?? "") \(error?.message ?? "")"
                #expect(!text.contains(secret), "\(text)")
                #expect(!text.contains("/slow") && !text.contains("/v1beta"), "\(text)")
                #expect(text.contains("127.0.0.1"), "\(text)")
            }
        }
    }

    @Test("printing or dumping a request never shows a credential or the query")
    func printing() {
        let secret = "AIzaSECRETprint42"
        let request = HTTPRequest(
            method: .post, url: "https://example.com/v1?key=\(secret)",
            headers: [HTTPHeader("x-goog-api-key", secret), HTTPHeader("Accept", "application/json")], body: Data("{}".utf8)
        )
        #expect("\(request)" == "POST https://example.com/v1 [x-goog-api-key, Accept] (2-byte body)")
        #expect("\(request.headers[0])" == "x-goog-api-key: ***")
        #expect("\(request.headers[1])" == "Accept: application/json")
        var dumped = ""
        dump(request.headers, to: &dumped)
        #expect(!dumped.contains(secret))
        #expect(!String(reflecting: request.headers).contains(secret))
    }

    @Test("cancelling the task aborts a running transfer")
    func cancellation() async throws {
        try await withServer { server, client in
            let start = ContinuousClock.now
            let task = Task { try await client.send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/slow?ms=5000")) }
            try await Task.sleep(for: .milliseconds(200))
            task.cancel()
            let result = await task.result
            #expect(throws: CancellationError.self) { try result.get() }
            // libcurl calls the progress callback about once a second while waiting.
            #expect(ContinuousClock.now - start < .milliseconds(2500))
        }
    }

    @Test("after shutdown, requests fail with a clear error")
    func shutdown() async throws {
        let client = HTTPClient()
        await client.shutdown()
        let error = await #expect(throws: HTTPClientError.self) { try await client.send(HTTPRequest(url: "http://127.0.0.1:9/")) }
        #expect(error?.kind == .shutdown)
    }
}
