import AppSupport
import ArgumentParser
import ConfigKit
import Foundation
import JobsKit
import RedisKit

/// `recall jobs …`: look at and operate the background job queue on the broker.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Inspect, retry and purge background jobs.",
        discussion: """
            Reads the queue that recall-worker serves: BROKER_URL, or the cache's Redis when unset, \
            under JOB_KEY_PREFIX. Job JSON (--json) has the same fields as GET /api/v1/jobs.

            Exit status: 0 done; 1 job not found or not retryable; 69 no broker configured or it \
            does not answer; 78 configuration invalid.

            Example:
              recall jobs list --status dead
            """,
        subcommands: [JobsListCommand.self, JobsShowCommand.self, JobsRetryCommand.self, JobsPurgeCommand.self]
    )
}

/// The queue a jobs command works on; `close()` when done.
struct JobsContext {
    let queue: RedisStreamsQueue
    let redis: RedisClient
    let broker: String

    /// Loads the settings (exit 78 when invalid) and opens the broker's queue, failing with
    /// exit 69 and what to do when there is none or it does not answer.
    static func open(_ options: CommonOptions, command: String) async throws -> JobsContext {
        let settings = ProgramStart.loadSettings(envFile: options.envFile, program: "recall jobs \(command)").settings
        let opened: (queue: RedisStreamsQueue, redis: RedisClient)?
        do {
            opened = try RedisStreamsQueue.open(settings: settings)
        } catch {
            throw JobsFailure(message: "the broker URL cannot be used: \(error)",
                              next: "fix BROKER_URL (or REDIS_URL): redis://[:password@]host:port/db").report(command)
        }
        guard let opened, let broker = settings.jobs.broker else {
            throw JobsFailure(message: "no job broker is configured, so there is no shared queue to inspect",
                              next: "set BROKER_URL or REDIS_URL=redis://host:6379/0").report(command)
        }
        let context = JobsContext(queue: opened.queue, redis: opened.redis, broker: "\(broker)")
        do {
            try await opened.redis.ping()
        } catch {
            await context.close()
            throw JobsFailure(message: "the broker at \(context.broker) does not answer: \(error)",
                              next: "start Redis or fix BROKER_URL / REDIS_URL, then run this again").report(command)
        }
        return context
    }

    /// Runs `body`, turning a broker failure into exit 69 and a queue refusal into a usage error.
    func run<Result>(_ command: String, _ body: (RedisStreamsQueue) async throws -> Result) async throws -> Result {
        do {
            let result = try await body(queue)
            await close()
            return result
        } catch let error as JobQueueError {
            await close()
            throw ValidationError("\(error)")
        } catch let error as RedisError {
            await close()
            throw JobsFailure(message: "the broker at \(broker) failed: \(error)",
                              next: "check that Redis runs (`recall cache verify`), then run this again").report(command)
        }
    }

    func close() async {
        await redis.shutdown()
    }
}

/// A failure explained in two parts: what happened, and what to do next. Exit 69.
struct JobsFailure: Error {
    let message: String
    let next: String

    func report(_ command: String) -> ExitCode {
        FileHandle.standardError.write(Data("recall jobs \(command): \(message)\n  next: \(next)\n".utf8))
        return ExitCode(69)
    }
}

extension JobStatus: ExpressibleByArgument {}
