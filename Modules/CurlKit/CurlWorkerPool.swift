import Dispatch
import Foundation
import Synchronization

/// A fixed set of OS threads, each owning one libcurl easy handle, fed from one FIFO queue.
///
/// `curl_easy_perform` blocks for the whole transfer, so it must never run on a Swift
/// concurrency cooperative thread or a NIO event loop: a few slow servers would starve every
/// other task of the process. Each thread here takes a job, runs it to completion on its own
/// handle (which keeps its connections alive for the next job: keep-alive reuse), and resumes the
/// caller's continuation. A handle is only ever used by the thread that created it.
final class CurlWorkerPool: Sendable {
    private struct State: Sendable {
        var queue = JobQueue()
        var closed = false
        var runningThreads = 0
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    /// One signal per queued job, plus one per thread at shutdown.
    private let available = DispatchSemaphore(value: 0)
    private let threadCount: Int

    init(configuration: HTTPClientConfiguration) {
        threadCount = configuration.concurrency
        state.withLock { $0.runningThreads = threadCount }
        for index in 0..<threadCount {
            let thread = Thread { [self] in
                work(configuration: configuration)
            }
            thread.name = "curl-worker-\(index)"
            thread.start()
        }
    }

    /// Queues a job; fails it at once when the pool is shut down.
    func submit(_ job: TransferJob) {
        let accepted = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.queue.append(job)
            return true
        }
        if accepted {
            available.signal()
        } else {
            job.finish(.failure(HTTPClientError(.shutdown, "the HTTP client was shut down")))
        }
    }

    /// Takes a job out of the queue if no worker has started it; returns whether it did.
    func withdraw(_ job: TransferJob) -> Bool {
        state.withLock { $0.queue.remove(job) }
    }

    /// Stops taking jobs, fails the queued ones, and lets each thread exit after its current
    /// transfer. Returns at once.
    func beginShutdown() {
        let leftovers = state.withLock { state -> [TransferJob]? in
            guard !state.closed else { return nil }
            state.closed = true
            return state.queue.removeAll()
        }
        guard let leftovers else { return }
        for job in leftovers {
            job.finish(.failure(HTTPClientError(.shutdown, "the HTTP client was shut down")))
        }
        for _ in 0..<threadCount { available.signal() }
    }

    /// Shuts down and waits until every thread has exited and freed its handle.
    func shutdown() async {
        beginShutdown()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.runningThreads == 0 { return true }
                state.exitWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func work(configuration: HTTPClientConfiguration) {
        // The session (and its easy handle) lives and dies on this thread.
        let session = CurlSession(configuration: configuration)
        while true {
            available.wait()
            enum Turn { case run(TransferJob), idle, exit }
            let turn = state.withLock { state -> Turn in
                if let job = state.queue.popFirst() { return .run(job) }
                return state.closed ? .exit : .idle
            }
            guard case .run(let job) = turn else {
                if case .exit = turn { break }
                continue  // the signal of a job that was withdrawn
            }
            if job.isCancelled {
                job.finish(.failure(CancellationError()))
                continue
            }
            job.finish(session.exchange(job))
        }
        session.close()
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.runningThreads -= 1
            guard state.runningThreads == 0 else { return [] }
            defer { state.exitWaiters.removeAll() }
            return state.exitWaiters
        }
        waiters.forEach { $0.resume() }
    }
}

/// A FIFO of jobs with O(1) amortised push and pop.
struct JobQueue: Sendable {
    private var items: [TransferJob] = []
    private var head = 0

    mutating func append(_ job: TransferJob) { items.append(job) }

    mutating func popFirst() -> TransferJob? {
        guard head < items.count else { return nil }
        let job = items[head]
        head += 1
        if head > 64, head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return job
    }

    mutating func remove(_ job: TransferJob) -> Bool {
        guard let index = items[head...].firstIndex(where: { $0 === job }) else { return false }
        items.remove(at: index)
        return true
    }

    mutating func removeAll() -> [TransferJob] {
        defer { items.removeAll(); head = 0 }
        return Array(items[head...])
    }
}
