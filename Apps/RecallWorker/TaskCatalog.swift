import JobsKit

/// The task handlers this worker serves.
///
/// `cleanup_failed_jobs` is always served (the `Worker` brings it). `process_document` and
/// `scrape_url` are registered here once the ingest pipeline provides their handlers, with
/// `handlers.register(TaskName.processDocument, payload: ProcessDocumentPayload.self) { … }`;
/// until then a worker does not claim to run them, and such jobs wait, retry and, if no worker
/// ever serves them, reach the dead-letter set where they can be re-queued.
enum TaskCatalog {
    static func handlers(for queue: RedisStreamsQueue, diagnostics: Bool) -> JobHandlerRegistry {
        var handlers = JobHandlerRegistry()
        if diagnostics {
            handlers.registerDiagnosticTasks(for: queue)
        }
        return handlers
    }
}
