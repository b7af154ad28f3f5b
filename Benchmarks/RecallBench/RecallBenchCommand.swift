import ArgumentParser

/// `recall-bench`: the measurements behind `make bench`. Each subcommand prints one result line
/// (`RESULT name value unit`) that Infrastructure/scripts/bench.sh collects and compares with the
/// reference tools (redis-benchmark, psql, wrk) run against the same servers in the same run.
///
/// Build it in release mode; debug numbers mean nothing.
@main
struct RecallBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recall-bench",
        abstract: "Measure Recall's hot paths (run through `make bench`).",
        subcommands: [
            MemoryCacheBenchmark.self, RedisBenchmark.self, CacheBenchmark.self,
            JobsEnqueueBenchmark.self, JobsLatencyBenchmark.self, IngestBenchmark.self, SearchBenchmark.self,
        ]
    )
}
