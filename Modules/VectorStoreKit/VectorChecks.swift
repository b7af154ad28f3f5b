/// Checks shared by both stores, so they refuse the same vectors with the same errors.
enum VectorChecks {
    /// A vector to store: the right length and finite. (A zero vector is allowed; like pgvector's
    /// index, searches simply never find it.)
    static func validateStored(_ vector: [Float], dimensions: Int) throws(VectorStoreError) {
        guard vector.count == dimensions else {
            throw .wrongDimensions(expected: dimensions, actual: vector.count)
        }
        guard vector.allSatisfy(\.isFinite) else {
            throw .invalidVector("it contains NaN or infinity")
        }
    }

    /// A query vector: as ``validateStored(_:dimensions:)``, and not all zeros, since a zero vector
    /// has no direction and so no cosine distance to anything.
    static func validateQuery(_ vector: [Float], dimensions: Int) throws(VectorStoreError) {
        try validateStored(vector, dimensions: dimensions)
        guard vector.contains(where: { $0 != 0 }) else {
            throw .invalidVector("a query vector of zeros has no cosine distance to anything")
        }
    }
}
