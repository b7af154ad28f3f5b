import ArgumentParser
import ConfigKit
import Foundation
import JobsKit

/// `recall ingest` without `--direct`: one job per file (or URL) for recall-worker, optionally
/// followed until each finishes.
struct QueuedIngest {
    let settings: Settings
    let tenant: String
    let json: Bool
    let wait: Bool

    /// One job, as `--json` prints it.
    struct JobResult: Encodable {
        let source: String
        let jobID: String
        let status: String
        let progress: Double?
        let error: String?

        enum CodingKeys: String, CodingKey {
            case source, status, progress, error
            case jobID = "job_id"
        }
    }

    func run(_ files: [String], url: String?, server: RemoteServer?) async throws {
        let destination: any IngestDestination
        if let server {
            destination = ServerIngestDestination(server: server)
        } else {
            destination = try BrokerIngestDestination(settings: settings, tenant: tenant)
        }
        let outcome: Result<[JobResult], ExitCode>
        do {
            let jobs = try await enqueue(files, url: url, to: destination)
            outcome = .success(wait ? try await follow(jobs, on: destination) : jobs)
        } catch let exit as ExitCode {
            outcome = .failure(exit)
        } catch {
            outcome = .failure(CommandOutput.failure("ingest", "the job queue at \(destination.name) failed: \(error)"))
        }
        await destination.close()
        let results = try outcome.get()
        if json {
            try CommandOutput.printJSON(results)
        } else if !wait {
            for job in results { print("queued \(job.source) as job \(job.jobID)") }
        } else {
            let succeeded = results.filter { $0.status == JobStatus.succeeded.rawValue }.count
            print("\(succeeded) of \(results.count) jobs succeeded")
        }
        if wait && results.contains(where: { $0.status != JobStatus.succeeded.rawValue }) { throw ExitCode.failure }
    }

    private func enqueue(_ files: [String], url: String?, to destination: any IngestDestination) async throws -> [JobResult] {
        var jobs: [JobResult] = []
        for path in files {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw CommandOutput.failure("ingest", "\(path) cannot be read: \(error.localizedDescription)")
            }
            let id = try await destination.enqueue(file: path, contentType: IngestFiles.contentType(of: path), bytes: data)
            jobs.append(JobResult(source: path, jobID: id, status: JobStatus.queued.rawValue, progress: nil, error: nil))
        }
        if let url {
            let id = try await destination.enqueue(url: url)
            jobs.append(JobResult(source: url, jobID: id, status: JobStatus.queued.rawValue, progress: nil, error: nil))
        }
        return jobs
    }

    /// Polls the job records until every job has a final status, showing progress.
    private func follow(_ jobs: [JobResult], on destination: any IngestDestination) async throws -> [JobResult] {
        let progress = ProgressLine(label: "jobs", unit: "jobs", enabled: !json)
        var current = jobs
        var lastStatus: [String: String] = [:]
        while true {
            for (index, job) in current.enumerated() where !(JobStatus(rawValue: job.status)?.isFinal ?? false) {
                guard let record = try await destination.record(id: job.jobID) else {
                    current[index] = JobResult(source: job.source, jobID: job.jobID, status: "missing", progress: nil,
                                               error: "the job record is gone (expired or purged)")
                    continue
                }
                current[index] = JobResult(source: job.source, jobID: job.jobID, status: record.status.rawValue,
                                           progress: record.progress, error: record.error)
            }
            let finished = current.filter { JobStatus(rawValue: $0.status)?.isFinal ?? true }.count
            if !json && !CommandOutput.isTerminal {
                for job in current where lastStatus[job.jobID] != job.status {
                    lastStatus[job.jobID] = job.status
                    print("\(job.status) \(job.source)\(job.error.map { ": \($0)" } ?? "")")
                }
            } else {
                let running = current.compactMap(\.progress).filter { $0 < 1 }
                let note = running.isEmpty ? "" : String(format: "current job %.0f%%", (running.max() ?? 0) * 100)
                progress.update(done: finished, total: current.count, note: note)
            }
            if finished == current.count { break }
            try await Task.sleep(for: .milliseconds(300))
        }
        progress.finish()
        return current
    }
}
