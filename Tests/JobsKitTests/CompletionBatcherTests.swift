import Synchronization
import Testing

@testable import JobsKit

@Suite("Completion batcher")
struct CompletionBatcherTests {
    /// Records the batches a batcher wrote.
    final class Writes: Sendable {
        private let state = Mutex<[[Int]]>([])
        func append(_ batch: [Int]) { state.withLock { $0.append(batch) } }
        var batches: [[Int]] { state.withLock { $0 } }
    }

    @Test("a lone entry is written at once; entries that arrive during a write go together into the next one, each once")
    func batchesGrowWhileWriting() async {
        let batcher = CompletionBatcher<Int>(maximumBatch: 100)
        let writes = Writes()
        let write: @Sendable ([Int]) async -> Void = { batch in
            writes.append(batch)
            // Long enough for every other submitter to arrive while this write is "on the wire".
            try? await Task.sleep(for: .milliseconds(400))
        }
        await batcher.submit(0, write: write)
        #expect(writes.batches == [[0]], "the first entry is written before submit returns")

        await withDiscardingTaskGroup { group in
            group.addTask { await batcher.submit(1, write: write) }
            try? await Task.sleep(for: .milliseconds(50))
            for entry in 2...40 {
                group.addTask { await batcher.submit(entry, write: write) }
            }
        }
        await batcher.waitUntilWritten()
        let batches = writes.batches
        #expect(batches.count == 3, "one lone write, then the first of the burst, then the other 39 together: \(batches)")
        #expect(batches.dropFirst().first == [1])
        #expect(batches.flatMap { $0 }.sorted() == Array(0...40))
    }

    @Test("no write carries more than the maximum batch")
    func maximumBatch() async {
        let batcher = CompletionBatcher<Int>(maximumBatch: 4)
        let writes = Writes()
        let write: @Sendable ([Int]) async -> Void = { batch in
            writes.append(batch)
            try? await Task.sleep(for: .milliseconds(100))
        }
        await withDiscardingTaskGroup { group in
            group.addTask { await batcher.submit(0, write: write) }
            try? await Task.sleep(for: .milliseconds(30))
            for entry in 1...10 {
                group.addTask { await batcher.submit(entry, write: write) }
            }
        }
        await batcher.waitUntilWritten()
        #expect(writes.batches.allSatisfy { $0.count <= 4 })
        #expect(writes.batches.flatMap { $0 }.sorted() == Array(0...10))
    }
}
