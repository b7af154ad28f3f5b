/// Small vector helpers shared by the providers.
enum VectorMath {
    /// `vector` scaled to unit length, or nil when it has no length (all zeros) or holds a
    /// non-finite value. Sums in Double: 3072 Float squares lose digits otherwise.
    static func normalised(_ vector: [Float]) -> [Float]? {
        var sum = 0.0
        for value in vector {
            guard value.isFinite else { return nil }
            sum += Double(value) * Double(value)
        }
        guard sum > 0, sum.isFinite else { return nil }
        let scale = 1 / sum.squareRoot()
        return vector.map { Float(Double($0) * scale) }
    }
}
