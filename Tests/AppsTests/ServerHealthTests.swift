import Foundation
import TestSupport
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `recall-server` started as a real process on embedded defaults.
@Suite("recall-server process")
struct ServerHealthTests {
    @Test("serves GET /health on HOST:PORT and exits 0 on SIGTERM")
    func health() async throws {
        let port = try FreePort.loopback()
        let (process, _, _) = try TestPrograms.start("recall-server", [], environment: ["HOST": "127.0.0.1", "PORT": String(port)])
        defer { if process.isRunning { process.terminate() } }

        let url = try #require(URL(string: "http://127.0.0.1:\(port)/health"))
        var body: Data?
        var status = 0
        for _ in 0..<100 where body == nil {
            if let (data, response) = try? await URLSession.shared.data(from: url) {
                body = data
                status = (response as? HTTPURLResponse)?.statusCode ?? 0
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(status == 200)
        let data = try #require(body)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
        #expect(json == ["status": "ok"])

        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }

    @Test("a bad configuration stops start-up with exit 78 and the reason")
    func badConfiguration() throws {
        let output = try TestPrograms.run("recall-server", [], environment: ["EMBEDDING_DIM": "1000"])
        #expect(output.status == 78)
        #expect(output.standardError.contains("EMBEDDING_DIM=1000"))
    }
}
