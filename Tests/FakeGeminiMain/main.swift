import FakeGemini
import Foundation

// fake-gemini: the fake Gemini API (embeddings, generateContent, models.get) in the foreground, for
// benchmarks and manual runs.
//   fake-gemini [--port N] [--latency-ms N] [--api-key KEY]
// Listens on 127.0.0.1 only; prints "fake-gemini listening on http://127.0.0.1:PORT" once ready;
// stops on SIGINT or SIGTERM.

let usage = "usage: fake-gemini [--port N] [--latency-ms N] [--api-key KEY]"
var port = 0
var latencyMilliseconds = 0
var apiKey = FakeGeminiServer.apiKey
var arguments = CommandLine.arguments.dropFirst()

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("fake-gemini: \(message)\n\(usage)\n".utf8))
    exit(64)
}

while let argument = arguments.popFirst() {
    switch argument {
    case "--port":
        guard let value = arguments.popFirst().flatMap(Int.init), (0...65_535).contains(value) else { fail("--port needs a number 0...65535") }
        port = value
    case "--latency-ms":
        guard let value = arguments.popFirst().flatMap(Int.init), value >= 0 else { fail("--latency-ms needs a number of milliseconds") }
        latencyMilliseconds = value
    case "--api-key":
        guard let value = arguments.popFirst(), !value.isEmpty else { fail("--api-key needs a value") }
        apiKey = value
    case "-h", "--help":
        print(usage)
        exit(0)
    default:
        fail("unknown argument \(argument)")
    }
}

let keySource = apiKey == FakeGeminiServer.apiKey ? "the default test key" : "from --api-key"
try await FakeGeminiServer.serve(port: port, apiKey: apiKey, latency: .milliseconds(latencyMilliseconds)) { bound in
    // Written with FileHandle (unbuffered), so a script waiting for this line sees it at once.
    FileHandle.standardOutput.write(Data("fake-gemini listening on http://127.0.0.1:\(bound) (key: \(keySource))\n".utf8))
}
