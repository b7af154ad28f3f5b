import Foundation

/// The task handlers a ``Worker`` serves, by task name.
///
/// Register only what this worker can really do: a job whose type has no handler is not
/// dropped, it fails and is retried (another worker, or a newer release, may have the handler),
/// and lands in the dead-letter set if none ever does.
///
/// ```swift
/// var handlers = JobHandlerRegistry()
/// handlers.register(TaskName.scrapeURL, payload: ScrapeURLPayload.self, timeout: .seconds(120)) { payload, context in
///     try await ingest.scrape(payload.url, options: payload.options, progress: context.reportProgress)
/// }
/// ```
public struct JobHandlerRegistry: Sendable {
    /// A handler: gets the job, returns an optional JSON result for the job record, and throws
    /// to fail the attempt (``JobFailure`` says whether to retry).
    public typealias Handler = @Sendable (JobContext) async throws -> Data?

    struct Registration: Sendable {
        let handler: Handler
        let timeout: Duration?
    }

    private(set) var registrations: [String: Registration] = [:]

    /// An empty registry.
    public init() {}

    /// The task names with a handler.
    public var types: [String] { registrations.keys.sorted() }

    /// Whether `type` has a handler.
    public func contains(_ type: String) -> Bool { registrations[type] != nil }

    /// Registers (or replaces) the handler of `type`.
    ///
    /// - Parameters:
    ///   - timeout: How long one attempt may run; when it passes, the handler's task is
    ///     cancelled and the attempt fails (and is retried). `nil` lets it run as long as it
    ///     keeps its lease.
    public mutating func register(_ type: String, timeout: Duration? = nil, handler: @escaping Handler) {
        registrations[type] = Registration(handler: handler, timeout: timeout)
    }

    /// Registers a handler that takes a decoded payload and returns an encodable result.
    public mutating func register<Payload: Decodable & Sendable, Output: Encodable & Sendable>(
        _ type: String, payload: Payload.Type, timeout: Duration? = nil,
        handler: @escaping @Sendable (Payload, JobContext) async throws -> Output
    ) {
        register(type, timeout: timeout) { context in
            let output = try await handler(context.decodePayload(as: Payload.self), context)
            return try JSONEncoder().encode(output)
        }
    }

    /// Registers a handler that takes a decoded payload and returns no result.
    public mutating func register<Payload: Decodable & Sendable>(
        _ type: String, payload: Payload.Type, timeout: Duration? = nil,
        handler: @escaping @Sendable (Payload, JobContext) async throws -> Void
    ) {
        register(type, timeout: timeout) { context in
            try await handler(context.decodePayload(as: Payload.self), context)
            return nil
        }
    }

    subscript(type: String) -> Registration? { registrations[type] }
}
