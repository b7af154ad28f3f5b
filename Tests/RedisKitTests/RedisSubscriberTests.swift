import RedisKit
import TestSupport
import Testing

@Suite("RedisSubscriber against the shared Redis", .enabled(if: TestServices.isAvailable(.redis)), .timeLimit(.minutes(1)))
struct RedisSubscriberTests {
    @Test("a subscriber receives published messages, binary payloads included")
    func receivesMessages() async throws {
        let configuration = try sharedConfiguration()
        let channel = uniquePrefix("pubsub") + "events"
        let other = channel + ":other"
        let subscriber = RedisSubscriber(configuration: configuration, channels: [channel, other])
        let events = EventRecorder(subscriber.messages())
        let publisher = RedisClient(configuration: configuration)

        #expect(await events.waitFor { $0 == .connected } != nil)
        #expect(try await publisher.publish(channel: channel, message: "hello") == 1)
        #expect(try await publisher.publish(channel: other, message: [0, 1, 2, 0]) == 1)
        #expect(try await publisher.publish(channel: channel + ":unsubscribed", message: "nobody") == 0)

        let first = await events.waitFor { $0 == .message(channel: channel, payload: Array("hello".utf8)) }
        #expect(first != nil)
        #expect(await events.waitFor(after: first ?? -1) { $0 == .message(channel: other, payload: [0, 1, 2, 0]) } != nil)

        await subscriber.stop()
        // Once stopped, the server has no subscriber left on the channel.
        #expect(await eventually(timeout: .seconds(5)) {
            (try? await publisher.publish(channel: channel, message: "late")) == 0
        })
        #expect(!events.all.contains(.disconnected))
        await publisher.shutdown()
    }

    @Test("messages() after stop returns a finished stream")
    func streamAfterStop() async throws {
        let subscriber = RedisSubscriber(configuration: try sharedConfiguration(), channels: ["unused"])
        await subscriber.stop()
        var count = 0
        for await _ in subscriber.messages() { count += 1 }
        #expect(count == 0)
    }
}
