import Foundation
import IngestKit
import JobsKit

/// `recall-server --ingest-if-empty DIR`: on a first start with an empty store, queue the
/// directory's documents, so a fresh server has something to answer from.
public enum StarterCorpus {
    /// Queues every supported file under `directory` (recursively) as a `process_document` job
    /// when the store holds no document; returns how many were queued.
    public static func ingestIfEmpty(_ directory: String, into components: ServerComponents) async throws -> Int {
        guard try await components.store.documentCount() == 0 else { return 0 }
        let root = URL(fileURLWithPath: directory)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return 0 }
        var queued = 0
        for case let file as URL in walker {
            guard let format = DocumentFormat(filename: file.lastPathComponent),
                  let bytes = try? Data(contentsOf: file), !bytes.isEmpty,
                  bytes.count <= components.settings.server.ingestMaxBytes else { continue }
            let name = file.path.replacingOccurrences(of: root.path + "/", with: "")
            let document = ProcessDocumentPayload.DocumentData(filename: name, contentType: format.rawValue, bytes: bytes)
            let id = UUID().uuidString.lowercased()
            try await components.queue.enqueue(type: TaskName.processDocument, payload: ProcessDocumentPayload(jobID: id, documentData: document),
                                               idempotencyKey: "starter:\(id)")
            queued += 1
        }
        return queued
    }
}
