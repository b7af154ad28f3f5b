import AppSupport
import ConfigKit
import Foundation
import RecallRuntime
import JobsKit
import Logging
import MetricsKit
import RedisKit
import ServiceLifecycle

/// Builds the worker process from the settings: broker, queue, handlers, worker, beat and the
/// metrics endpoint, run as one `ServiceGroup` that SIGTERM drains.
enum WorkerRuntime {
    /// What the command line asked for.
    struct Mode {
        var worker: Bool
        var beat: Bool
        var concurrency: Int?
        var exitWhenIdle: Bool
        var diagnosticTasks: Bool

        var name: String { worker && beat ? "all" : worker ? "run" : "beat" }
    }

    static func start(_ mode: Mode, envFile: String?) async throws {
        let settings = ProgramStart.loadSettings(envFile: envFile, program: "recall-worker").settings
        ProgramStart.bootstrapLogging(settings)
        let logger = Logger(label: "recall-worker")
        let jobs = settings.jobs

        guard let broker = jobs.broker else {
            refuse("recall-worker needs a job broker: set BROKER_URL (or REDIS_URL) to a Redis. Without Redis, "
                + "recall-server runs jobs in-process and no worker is needed.")
        }
        var schedule = BeatSchedule()
        if mode.beat {
            do {
                schedule = try BeatSchedule(parsing: jobs.beatSchedule)
            } catch {
                refuse("BEAT_SCHEDULE=\(jobs.beatSchedule): \(error)")
            }
        }

        let metrics = RecallMetrics()
        metrics.bootstrapSwiftMetrics()
        let queue: RedisStreamsQueue
        let redis: RedisClient
        do {
            guard let opened = try RedisStreamsQueue.open(settings: settings, metrics: metrics, logger: logger) else {
                refuse("no job broker is configured")
            }
            (queue, redis) = opened
        } catch {
            refuse("the job broker URL cannot be used: \(error)")
        }

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        var resources = TaskCatalog.Resources()
        var worker: Worker?
        var beat: JobsKit.Beat?
        if mode.worker {
            let configuration = WorkerConfiguration(
                concurrency: mode.concurrency ?? jobs.workerConcurrency,
                shutdownGracePeriod: .seconds(jobs.shutdownGraceSeconds),
                exitWhenIdle: mode.exitWhenIdle
            )
            let handlers: JobHandlerRegistry
            do {
                (handlers, resources) = try await TaskCatalog.handlers(
                    for: queue, settings: settings, diagnostics: mode.diagnosticTasks, metrics: metrics, logger: logger)
            } catch {
                refuse(error.message)
            }
            worker = Worker(
                queue: queue, handlers: handlers, configuration: configuration, metrics: metrics, logger: logger
            )
        }
        if mode.beat {
            beat = JobsKit.Beat(
                schedule: schedule, queue: queue,
                configuration: BeatConfiguration(lease: .seconds(jobs.beatLeaseSeconds)), logger: logger
            )
        }
        if jobs.metricsPort != 0 {
            let endpoint = MetricsEndpoint(
                host: jobs.metricsHost, port: jobs.metricsPort, mode: mode.name, metrics: metrics,
                worker: worker, beat: beat, logger: logger
            )
            services.append(.init(service: endpoint, serviceName: "metrics-endpoint"))
        }
        // A service group stops services in reverse order: the beat first, then the worker
        // drains, and /metrics stays up until the end.
        if let worker {
            services.append(.init(
                service: worker, successTerminationBehavior: mode.exitWhenIdle ? .gracefullyShutdownGroup : .cancelGroup,
                serviceName: "worker"))
        }
        if let beat { services.append(.init(service: beat, serviceName: "beat")) }

        logger.info("recall-worker starting", metadata: [
            "worker.mode": "\(mode.name)", "jobs.broker": "\(broker)", "jobs.key_prefix": "\(jobs.keyPrefix)",
        ])
        var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = .seconds(jobs.shutdownGraceSeconds + 10)
        try await ServiceGroup(configuration: group).run()
        await resources.close()
        await redis.shutdown()

        if mode.exitWhenIdle, let worker {
            let uptime = worker.uptime ?? .zero
            let seconds = Double(uptime.components.seconds) + Double(uptime.components.attoseconds) / 1e18
            let rate = seconds > 0 ? Double(worker.processedCount) / seconds : 0
            print(String(format: "recall-worker: drained processed=%d seconds=%.3f jobs_per_second=%.1f",
                         worker.processedCount, seconds, rate))
        }
    }

    /// Stops start-up with the configuration-error status, as every Recall program does.
    private static func refuse(_ message: String) -> Never {
        FileHandle.standardError.write(Data("recall-worker: \(message)\n".utf8))
        exit(ProgramStart.configurationErrorExitCode)
    }
}
