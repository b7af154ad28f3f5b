import ArgumentParser
import Foundation
import JobsKit

/// The list `recall jobs list --json` prints: the same shape as `GET /api/v1/jobs`.
struct JobList: Codable {
    let jobs: [JobRecord]
    let counts: [String: Int]
}

/// What `recall jobs retry --json` prints.
struct RetryOutcome: Encodable {
    let id: String
    let requeued: Bool
}

/// What `recall jobs purge --json` prints.
struct PurgeOutcome: Encodable {
    let status: String
    let deleted: Int
}

/// `recall jobs list [--status S] [--limit N]`.
struct JobsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List jobs, newest first, with the count of each status.",
        discussion: """
            With --server URL the list comes from that recall-server's GET /api/v1/jobs (at most \
            1000 jobs, newest update first; with API_KEYS only the API key's tenant's jobs), in \
            the same --json shape.

            Examples:
              recall jobs list --status retrying --limit 50
              recall jobs list --server http://127.0.0.1:8000 --json
            """
    )

    @OptionGroup var options: CommonOptions
    @OptionGroup var remote: ServerOptions

    @Option(help: "Only jobs with this status: \(JobStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
    var status: JobStatus?

    @Option(help: "Most jobs to show.")
    var limit = 20

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 10000, not \(limit)") }
        if remote.url != nil, limit > 1000 { throw ValidationError("--limit must be at most 1000 with --server (the API's limit)") }
    }

    func run() async throws {
        let list: JobList
        if let server = try RemoteServer.open(remote, envFile: options.envFile, command: "jobs list") {
            let query = "?limit=\(limit)" + (status.map { "&status=\($0.rawValue)" } ?? "")
            (list, _) = try await server.call(.get, "/api/v1/jobs" + query, access: .client, as: JobList.self)
            await server.shutdown()
        } else {
            list = try await localList()
        }
        show(list)
    }

    private func localList() async throws -> JobList {
        let context = try await JobsContext.open(options, command: "list")
        return try await context.run("list") { queue in
            let jobs = try await queue.list(statuses: status.map { [$0] } ?? JobStatus.allCases, limit: limit)
            let counts = try await queue.counts()
            return JobList(jobs: jobs,
                           counts: Dictionary(uniqueKeysWithValues: JobStatus.allCases.map { ($0.rawValue, counts[$0] ?? 0) }))
        }
    }

    private func show(_ list: JobList) {
        if options.json {
            printJSON(list)
            return
        }
        print(JobStatus.allCases.map { "\($0.rawValue) \(list.counts[$0.rawValue] ?? 0)" }.joined(separator: "  "))
        guard !list.jobs.isEmpty else {
            print("no jobs\(status.map { " with status \($0)" } ?? "")")
            return
        }
        print(Self.row("ID", "TYPE", "STATUS", "ATTEMPTS", "PROGRESS", "UPDATED"))
        for job in list.jobs {
            print(Self.row(job.id, job.type, job.status.rawValue, "\(job.attempts)",
                           job.progress.map { "\(Int(($0 * 100).rounded()))%" } ?? "-",
                           JobRecord.timestamp(job.updatedAt)))
        }
    }

    private static func row(_ columns: String...) -> String {
        let widths = [36, 18, 10, 9, 9]
        return zip(columns, widths + [0]).map { column, width in
            width == 0 ? column : column.padding(toLength: max(width, column.count), withPad: " ", startingAt: 0)
        }.joined(separator: " ")
    }
}

/// `recall jobs show ID`.
struct JobsShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one job: status, attempts, progress, result or error, timestamps.",
        discussion: """
            With --server URL the job comes from that recall-server's GET /api/v1/jobs/ID, in the \
            same --json shape.

            Examples:
              recall jobs show 1764410000000-0 --json
              recall jobs show 1764410000000-0 --server http://127.0.0.1:8000
            """
    )

    @OptionGroup var options: CommonOptions
    @OptionGroup var remote: ServerOptions

    @Argument(help: "The job id (as `recall ingest` or POST /api/v1/ingest returned it).")
    var id: String

    func run() async throws {
        let job: JobRecord
        if let server = try RemoteServer.open(remote, envFile: options.envFile, command: "jobs show") {
            (job, _) = try await server.call(.get, "/api/v1/jobs/\(RemoteServer.pathSegment(id))", access: .client, as: JobRecord.self)
            await server.shutdown()
        } else {
            let context = try await JobsContext.open(options, command: "show")
            guard let record = try await context.run("show", { try await $0.record(id: id) }) else {
                FileHandle.standardError.write(Data("recall jobs show: no job \(id) (finished jobs are kept JOB_RETENTION_SECONDS)\n".utf8))
                throw ExitCode(1)
            }
            job = record
        }
        if options.json {
            printJSON(job)
            return
        }
        var lines = [
            "id          \(job.id)",
            "type        \(job.type)",
            "status      \(job.status)",
            "attempts    \(job.attempts) (deliveries \(job.deliveries))",
        ]
        if let progress = job.progress {
            lines.append("progress    \(Int((progress * 100).rounded()))%\(job.progressMessage.map { " \($0)" } ?? "")")
        }
        if let error = job.error { lines.append("error       \(error)") }
        if let result = job.result { lines.append("result      \(String(decoding: result, as: UTF8.self))") }
        if let worker = job.worker { lines.append("worker      \(worker)") }
        lines.append("created     \(JobRecord.timestamp(job.createdAt))")
        if let started = job.startedAt { lines.append("started     \(JobRecord.timestamp(started))") }
        if let finished = job.finishedAt { lines.append("finished    \(JobRecord.timestamp(finished))") }
        if let next = job.nextRunAt { lines.append("next run    \(JobRecord.timestamp(next))") }
        print(lines.joined(separator: "\n"))
    }
}

/// `recall jobs retry ID`.
struct JobsRetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Put a failed or dead job back on the queue (attempts reset), or run a retrying job now.",
        discussion: """
            Example:
              recall jobs retry 1764410000000-0
            """
    )

    @OptionGroup var options: CommonOptions

    @Argument(help: "The job id.")
    var id: String

    func run() async throws {
        let context = try await JobsContext.open(options, command: "retry")
        let requeued = try await context.run("retry") { queue -> Bool in try await queue.retry(id: id) }
        if options.json {
            printJSON(RetryOutcome(id: id, requeued: requeued))
        } else {
            print(requeued ? "requeued \(id)" : "not requeued: \(id) does not exist or is queued, running or succeeded")
        }
        if !requeued { throw ExitCode(1) }
    }
}

/// `recall jobs purge --status S --yes`.
struct JobsPurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Delete the records of every job with a final status (succeeded, failed or dead).",
        discussion: """
            Example:
              recall jobs purge --status dead --yes
            """
    )

    @OptionGroup var options: CommonOptions

    @Option(help: "The status whose records go: succeeded, failed or dead.")
    var status: JobStatus

    @Flag(help: "Confirm: purged records cannot be inspected or retried any more.")
    var yes = false

    func validate() throws {
        guard status.isFinal else {
            throw ValidationError("--status \(status) would delete work in progress; only succeeded, failed or dead can be purged")
        }
        guard yes else { throw ValidationError("purging deletes job records for good: add --yes to confirm") }
    }

    func run() async throws {
        let context = try await JobsContext.open(options, command: "purge")
        let deleted = try await context.run("purge") { queue -> Int in try await queue.purge(status: status) }
        if options.json {
            printJSON(PurgeOutcome(status: status.rawValue, deleted: deleted))
        } else {
            print("deleted \(deleted) \(status) job record\(deleted == 1 ? "" : "s")")
        }
    }
}
