import Foundation
import TestSupport
import Testing

/// `recall embed`, run as the real program against the local provider and against the fake
/// Gemini server (started as its own process on 127.0.0.1).
@Suite("recall embed")
struct EmbedCommandTests {
    struct EmbedJSON: Decodable {
        let model: String
        let dimensions: Int
        let task: String
        let norm: Float
        let values: [Float]
    }

    @Test("the local provider prints a unit vector of the requested size")
    func local() throws {
        let output = try TestPrograms.run("recall", ["embed", "How do I request time off?", "--dim", "768", "--json"])
        #expect(output.status == 0, "\(output.standardError)")
        let result = try JSONDecoder().decode(EmbedJSON.self, from: Data(output.standardOutput.utf8))
        #expect(result.dimensions == 768)
        #expect(result.values.count == 768)
        #expect(abs(result.norm - 1) < 1e-5)
        #expect(result.task == "RETRIEVAL_QUERY")
    }

    @Test("Gemini through the fake server: normalised MRL vectors at 768 and 1536", arguments: [768, 1536])
    func gemini(dimensions: Int) throws {
        let port = try FreePort.loopback()
        let (server, serverOutput, _) = try TestPrograms.start("fake-gemini", ["--port", String(port), "--api-key", "test-key-123"])
        defer { server.terminate(); server.waitUntilExit() }
        // Wait for the "listening" line before sending anything.
        _ = serverOutput.fileHandleForReading.availableData

        let output = try TestPrograms.run(
            "recall", ["embed", "Where is the expense policy?", "--dim", String(dimensions), "--task", "RETRIEVAL_DOCUMENT", "--title", "Handbook", "--json"],
            environment: [
                "EMBEDDING_PROVIDER": "gemini", "GEMINI_API_KEY": "test-key-123",
                "GEMINI_BASE_URL": "http://127.0.0.1:\(port)",
            ]
        )
        #expect(output.status == 0, "\(output.standardError)")
        let result = try JSONDecoder().decode(EmbedJSON.self, from: Data(output.standardOutput.utf8))
        #expect(result.model == "gemini-embedding-001")
        #expect(result.dimensions == dimensions)
        #expect(abs(result.norm - 1) < 1e-5)
        #expect(result.task == "RETRIEVAL_DOCUMENT")
    }

    @Test("a wrong key says what to fix and never prints the key")
    func wrongKey() throws {
        let port = try FreePort.loopback()
        let (server, serverOutput, _) = try TestPrograms.start("fake-gemini", ["--port", String(port), "--api-key", "right-key"])
        defer { server.terminate(); server.waitUntilExit() }
        _ = serverOutput.fileHandleForReading.availableData
        let canary = "CANARY-wrong-key-77"
        let output = try TestPrograms.run("recall", ["embed", "hello"], environment: [
            "EMBEDDING_PROVIDER": "gemini", "GEMINI_API_KEY": canary, "GEMINI_BASE_URL": "http://127.0.0.1:\(port)",
        ])
        #expect(output.status == 1)
        #expect(output.standardError.contains("GEMINI_API_KEY"))
        #expect(!(output.standardOutput + output.standardError).contains(canary))
    }

    @Test("a dimension outside the MRL sizes is a usage error")
    func badDimension() throws {
        let output = try TestPrograms.run("recall", ["embed", "x", "--dim", "1000"])
        #expect(output.status == 2)
        #expect(output.standardError.contains("768, 1536 or 3072"))
    }
}
