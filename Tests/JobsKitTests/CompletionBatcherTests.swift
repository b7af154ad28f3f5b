import Synchronization
import Testing

@testable import JobsKit

@Suite("Completion batcher")
struct CompletionBatcherTests {
    /// Records the batches a batcher wrote.
    final class Writes: Sendable {
        private let state = Mutex<[[Int]]>([])
        var batches: [[Int]] { state.withLock { $0 } }

        /// A write that records its batch and then takes `pause`, long enough for other
        /// submitters to arrive while it is "on the wire".
        func writer(pause: Duration) -> @Sendable ([Int]) async -> Void {
            { batch in
                self.state.withLock { $0.append(batch) }
                try? await Task.sleep(for: pause)
            }
        }
    }

    /// Submits `first`, and `rest` each from its own task while the first one's write runs.
    private func burst(_ batcher: CompletionBatcher<Int>, first: Int, rest: ClosedRange<Int>,
                       write: @escaping @Sendable ([Int]) async -> Void) async {
        await withDiscardingTaskGroup { group in
            group.addTask { await batcher.submit(first, write: write) }
            try? await Task.sleep(for: .milliseconds(30))
            for entry in rest {
                group.addTask { await batcher.submit(entry, write: write) }
            }
        }
        await batcher.waitUntilWritten()
    }

    @Test("a lone entry is written at once; entries that arrive during a write go together into the next one, each once")
    func batchesGrowWhileWriting() async {
        let batcher = CompletionBatcher<Int>(maximumBatch: 100)
        let writes = Writes()
        let write = writes.writer(pause: .milliseconds(400))
        await batcher.submit(0, write: write)
        #expect(writes.batches == [[0]], "the first entry is written before submit returns")

        await burst(batcher, first: 1, rest: 2...40, write: write)
        let batches = writes.batches
        #expect(batches.count == 3, "one lone write, then the first of the burst, then the other 39 together: \(batches)")
        #expect(batches.dropFirst().first == [1])
        #expect(batches.flatMap { $0 }.sorted() == Array(0...40))
    }

    @Test("no write carries more than the maximum batch")
    func maximumBatch() async {
        let batcher = CompletionBatcher<Int>(maximumBatch: 4)
        let writes = Writes()
        await burst(batcher, first: 0, rest: 1...10, write: writes.writer(pause: .milliseconds(100)))
        #expect(writes.batches.allSatisfy { $0.count <= 4 })
        #expect(writes.batches.contains { $0.count == 4 }, "entries that waited were batched: \(writes.batches)")
        #expect(writes.batches.flatMap { $0 }.sorted() == Array(0...10))
    }
}
