import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A stand-in for the Gemini API on 127.0.0.1 — embeddings, `generateContent` and the model
/// metadata — written from the documented contract (see ``FakeGeminiBehaviour`` and
/// `FakeGeminiBehaviour+Generate.swift` for what it answers and why).
///
/// ```swift
/// let fake = try await FakeGeminiServer.start()
/// defer { Task { await fake.stop() } }
/// fake.failNext(1, status: 429, retryDelay: "0.3s")
/// // point the client at fake.baseURL with FakeGeminiServer.apiKey
/// let sent = fake.requests
/// ```
///
/// Authentication, faults, latency and the request log apply to every route, so a chat test can
/// script a 429 with `RetryInfo` exactly as an embeddings test does. ``generateContentCount``
/// tells how many answers were asked for; ``setGeneration(_:)`` makes them cut off, blocked or
/// empty.
public final class FakeGeminiServer: Sendable {
    /// The key the fake accepts unless told otherwise.
    public static let apiKey = "fake-gemini-test-key"
    /// The models that exist unless told otherwise: the embedding model and a chat model.
    public static let defaultModels: Set<String> = ["gemini-embedding-001", "gemini-2.5-flash", "gemini-3.5-flash"]

    /// The port it listens on (127.0.0.1 only).
    public let port: Int
    /// `http://127.0.0.1:<port>`: what `GEMINI_BASE_URL` should be.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private let state: FakeGeminiState
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(port: Int, state: FakeGeminiState, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.state = state
        self.group = group
        self.task = task
    }

    /// Starts a fake on 127.0.0.1.
    ///
    /// - Parameters:
    ///   - port: 0 (the default) for any free port; read ``port`` afterwards.
    ///   - apiKey: the only key accepted.
    ///   - latency: the time from a request to its answer (the answer is made within it).
    ///   - models: model IDs that exist; others get 404 like a wrong model name.
    public static func start(
        port: Int = 0,
        apiKey: String = FakeGeminiServer.apiKey,
        latency: Duration = .zero,
        models: Set<String> = FakeGeminiServer.defaultModels
    ) async throws -> FakeGeminiServer {
        let state = FakeGeminiState(apiKey: apiKey, latency: latency, models: models)
        let (app, logger, ports) = makeApplication(port: port, state: state)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        var bound = 0
        for await reported in ports { bound = reported }
        guard bound > 0 else {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            throw POSIXError(.EADDRNOTAVAIL)
        }
        return FakeGeminiServer(port: bound, state: state, group: group, task: task)
    }

    /// Runs a fake in the foreground until SIGINT or SIGTERM (the `fake-gemini` program).
    public static func serve(
        port: Int, apiKey: String = FakeGeminiServer.apiKey, latency: Duration = .zero,
        onListening: @escaping @Sendable (Int) -> Void
    ) async throws {
        let state = FakeGeminiState(apiKey: apiKey, latency: latency, models: defaultModels)
        let (app, _, ports) = makeApplication(port: port, state: state)
        let announce = Task {
            for await bound in ports { onListening(bound) }
        }
        defer { announce.cancel() }
        try await app.runService()
    }

    /// Stops listening and waits until the server has shut down.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// Every request received so far, oldest first.
    public var requests: [FakeGeminiRequest] { state.locked { $0.log } }

    /// Forgets the request log (and the peak of concurrent requests).
    public func clearRequests() {
        state.locked { state in
            state.log.removeAll()
            state.peakInFlight = state.inFlight
        }
    }

    /// The most requests the fake was handling at the same moment.
    public var peakConcurrentRequests: Int { state.locked { $0.peakInFlight } }

    /// The next `count` requests get `status` with Google's error body for it: 429
    /// RESOURCE_EXHAUSTED (with `RetryInfo.retryDelay` when given, and a `QuotaFailure` naming
    /// `quotaId` when given), 500 INTERNAL, 503 UNAVAILABLE, 504 DEADLINE_EXCEEDED, 400
    /// INVALID_ARGUMENT…
    public func failNext(_ count: Int, status: Int, retryDelay: String? = nil, quotaId: String? = nil) {
        state.locked { state in
            for _ in 0..<count { state.faults.append(.init(status: status, retryDelay: retryDelay, quotaId: quotaId)) }
        }
    }

    /// Makes every vector `length` floats long whatever was asked (nil: back to normal), to test a
    /// client's dimension check.
    public func returnVectors(ofLength length: Int?) {
        state.locked { $0.vectorLengthOverride = length }
    }

    /// The vector the fake returns for `text` at `dimensions` (before any client normalisation).
    public static func vector(for text: String, dimensions: Int) -> [Float] {
        FakeGeminiBehaviour.vector(for: text, dimensions: dimensions)
    }

    /// How answers to `generateContent` come out from now on (``FakeGeminiGeneration/answer(_:)``
    /// by default).
    public func setGeneration(_ generation: FakeGeminiGeneration) {
        state.locked { $0.generation = generation }
    }

    /// How many `generateContent` requests arrived (answered or not) since the last
    /// ``clearRequests()``.
    public var generateContentCount: Int {
        state.locked { $0.log.count { $0.path.hasSuffix(":generateContent") } }
    }

    /// Changes the time from a request to its answer.
    public func setLatency(_ latency: Duration) {
        state.locked { $0.latency = latency }
    }

    private static func makeApplication(port: Int, state: FakeGeminiState)
        -> (some ApplicationProtocol, Logger, AsyncStream<Int>)
    {
        var logger = Logger(label: "fake-gemini")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: makeRouter(state: state),
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "fake-gemini"),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger
        )
        return (app, logger, ports)
    }

    /// The routes. Hummingbird matches `{model}:embedContent` as a capture with a fixed suffix.
    static func makeRouter(state: FakeGeminiState) -> Router<BasicRequestContext> {
        let router = Router()
        let behaviour = FakeGeminiBehaviour(state: state)
        router.post("/v1beta/models/{model}:embedContent") { request, context in
            try await behaviour.respond(to: request, context: context, handler: behaviour.embedContent)
        }
        router.post("/v1beta/models/{model}:batchEmbedContents") { request, context in
            try await behaviour.respond(to: request, context: context, handler: behaviour.batchEmbedContents)
        }
        router.post("/v1beta/models/{model}:generateContent") { request, context in
            try await behaviour.respond(to: request, context: context, handler: behaviour.generateContent)
        }
        router.get("/v1beta/models/{model}") { request, context in
            try await behaviour.respond(to: request, context: context, expectsBody: false, handler: behaviour.getModel)
        }
        return router
    }
}

/// One request as the fake received it.
public struct FakeGeminiRequest: Sendable {
    /// The HTTP method, such as `POST`.
    public let method: String
    /// The path, without the query.
    public let path: String
    /// The query string (empty when none): a key sent as `?key=` would show here.
    public let query: String
    /// Header values by lower-cased name.
    public let headers: [String: String]
    /// The raw body.
    public let body: Data

    /// The body parsed as a JSON object, if it is one.
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
    }
}
