/// The task names Recall's jobs are enqueued under.
///
/// The first three are the seed's task names and a contract with everything that enqueues
/// jobs: renaming one strands every job already queued under the old name. The `diagnostics.`
/// names are tools for tests and benchmarks; a worker serves them only when asked to
/// (`JobHandlerRegistry.registerDiagnosticTasks(for:)`, `recall-worker run --diagnostic-tasks`).
public enum TaskName {
    /// Extract, chunk, embed and store one uploaded document (``ProcessDocumentPayload``).
    public static let processDocument = "process_document"
    /// Fetch a URL and ingest what it returns (``ScrapeURLPayload``).
    public static let scrapeURL = "scrape_url"
    /// Repair stuck work and drop expired bookkeeping; scheduled hourly by the beat.
    public static let cleanupFailedJobs = "cleanup_failed_jobs"
    /// Asks the most asked questions again, so their answers are cached after a corpus change or
    /// TTL expiry before people ask: `{"limit": 50}` (optional).
    public static let warmHotQuestions = "warm_hot_questions"

    /// Diagnostics: returns at once. Measures the queue's own overhead.
    public static let diagnosticsNoop = "diagnostics.noop"
    /// Diagnostics: sleeps `{"milliseconds": n}` and records each execution and completion.
    public static let diagnosticsSleep = "diagnostics.sleep"
    /// Diagnostics: always fails, with `{"message": "…", "permanent": false}`.
    public static let diagnosticsFail = "diagnostics.fail"
}
