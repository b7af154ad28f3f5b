import Foundation
import JobsKit

/// What the job routes read from a job beyond its record's JSON (JobsKit's `JobRecord+JSON`, the
/// shape `recall-top` and the CLI read).
enum JobJSON {
    /// The tenant a job was enqueued for (from its payload's metadata), empty when none.
    static func tenant(of record: JobRecord) -> String {
        guard let payload = try? JSONSerialization.jsonObject(with: record.payload) as? [String: Any] else { return "" }
        let document = (payload["document_data"] as? [String: Any])?["metadata"] as? [String: Any]
        let options = (payload["options"] as? [String: Any])?["metadata"] as? [String: Any]
        return (document?["tenant"] ?? options?["tenant"]) as? String ?? ""
    }

    /// `{"jobs": [...], "counts": {status: n}}`.
    struct Listing: Encodable {
        let jobs: [JobRecord]
        let counts: [String: Int]
    }
}
