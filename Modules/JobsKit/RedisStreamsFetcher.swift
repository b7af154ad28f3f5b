import RedisKit

/// Reads new deliveries for one worker with `XREADGROUP … BLOCK`, on a connection of its own.
///
/// A blocking read holds its connection for up to ``wait``: on the shared pool it would stall
/// every command queued behind it, and the pool's command timeout (2 s by default) would cut it
/// off. So the fetcher opens a one-connection client whose command timeout is the block time
/// plus two seconds, and closes it in ``close()``.
struct RedisStreamsFetcher: JobFetcher {
    private let queue: RedisStreamsQueue
    private let client: RedisClient
    private let blockMilliseconds: Int64

    init(queue: RedisStreamsQueue, wait: Duration) {
        self.queue = queue
        var configuration = queue.redis.configuration
        configuration.poolSize = 1
        configuration.commandTimeout = wait + .seconds(2)
        self.client = RedisClient(configuration: configuration, logger: queue.logger)
        self.blockMilliseconds = RedisStreamsQueue.milliseconds(wait)
    }

    func fetch(consumer: String, max: Int) async throws -> [JobDelivery] {
        guard max > 0 else { return [] }
        let command = [
            "XREADGROUP", "GROUP", JobKeys.group, consumer, "COUNT", String(max),
            "BLOCK", String(blockMilliseconds), "STREAMS", queue.keys.stream, ">",
        ]
        let reply: RESPValue
        do {
            reply = try await client.send(command)
        } catch let error as RedisError where error.serverErrorCode == "NOGROUP" {
            // The stream or its group vanished (FLUSHALL, a Redis restarted without persistence):
            // recreate it and let the next read pick up whatever is enqueued from now on.
            try await queue.createGroup()
            return []
        }
        // `[[stream, [[id, fields], …]]]`, or nil when the block timed out.
        guard let streams = reply.array, let first = streams.first?.array, first.count == 2 else { return [] }
        return try await queue.deliveries(in: first[1])
    }

    func close() async {
        await client.shutdown()
    }
}
